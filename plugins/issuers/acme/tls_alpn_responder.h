// tls-alpn-01 (RFC 8737): a built-in TLS responder that, for ALPN "acme-tls/1" and the SNI of
// a domain being validated, presents a self-signed certificate for that domain carrying the
// critical acmeIdentifier extension (1.3.6.1.5.5.7.1.31) = SHA-256(key authorization).
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/openssl_ptr.h"
#include "plugins/issuers/acme/challenge_listener.h"
#include "plugins/issuers/acme/challenges.h"

namespace xmppcert::acme {

class TlsAlpnResponder : public ChallengeSolver {
 public:
  TlsAlpnResponder(const std::string& address, int port);  // binds at once
  ~TlsAlpnResponder() override;
  std::string type() const override { return "tls-alpn-01"; }
  void present(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;
  void cleanup(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

  // Picks the certificate for the SNI name (called by OpenSSL during the handshake).
  bool select_certificate(SSL* ssl);
  // Answers one connected socket (the listener's handler; the fuzz target feeds it too).
  void handshake(int client);

 private:
  struct Credential {
    X509Ptr certificate;
    PKeyPtr key;
  };
  SSL_CTX* ctx_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, Credential> credentials_;  // by domain
  std::unique_ptr<ChallengeListener> listener_;    // last: stops before the rest goes
};

}  // namespace xmppcert::acme
