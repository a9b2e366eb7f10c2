// The ACME issuer (RFC 8555): any ACME CA, pebble in the tests, and the `foundation` preset.
//
//   "issuer": "acme",
//   "acme": { "directory": "https://acme.example/dir", "trust": "/path/ca.pem",
//             "agree_tos": true, "email": "admin@example.org",
//             "eab_kid": "...", "eab_hmac": "...",                 // external account binding
//             "http01_address": "0.0.0.0", "http01_port": 80,     // built-in responder (default)
//             "webroot": "/var/www/html",                         // or a webroot
//             "dns01_hook": ["/usr/local/bin/dns-hook"],          // or dns-01 via a hook
//             "rfc2136_server": "192.0.2.53", "rfc2136_port": 53, // or by RFC 2136 update
//             "rfc2136_key_file": "/etc/xmppcert/tsig.key",
//             "tls_alpn01_address": "0.0.0.0", "tls_alpn01_port": 443, // or tls-alpn-01 (RFC 8737)
//             "profile": "tlsserver",                             // an ACME profile, if offered
//             "preferred_chain": "ISRG Root X1" }                 // pick among alternate chains
//
// When the directory offers renewalInfo (RFC 9773), a renewal names the certificate it
// replaces and the CA's suggested window sets the next renewal time.
//
// Public CAs drop otherName SANs (SRV-ID, XmppAddr) and the clientAuth EKU; the engine
// reports both after issuance (enroll.cc) instead of failing.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/issuer.h"

namespace xmppcert::acme {

struct AcmeSettings {
  std::string directory;
  std::string trust;
  bool agree_tos = false;
  std::string email;
  std::string eab_kid;
  std::string eab_hmac;  // secret: never logged, never stored in records
  std::string http01_address = "0.0.0.0";
  int http01_port = 80;
  std::string webroot;
  std::vector<std::string> dns01_hook;
  std::string rfc2136_server;  // dns-01 by dynamic update to this server
  int rfc2136_port = 53;
  std::string rfc2136_key_file;  // TSIG key for nsupdate -k
  std::string tls_alpn01_address = "0.0.0.0";
  int tls_alpn01_port =
      0;                // tls-alpn-01 by the built-in responder on this port (443 in production)
  std::string profile;  // an ACME profile the directory lists in meta.profiles
  std::string preferred_chain;  // issuer CN of the chain's top certificate, among the alternates
};

// UsageError naming `where` and the key on any bad setting.
AcmeSettings parse_acme_settings(const nlohmann::json& settings, const std::string& where);

class AcmeIssuer : public Issuer {
 public:
  AcmeIssuer(AcmeSettings settings, std::filesystem::path state_dir);
  ~AcmeIssuer() override;
  std::string name() const override { return "acme"; }
  IssuedCertificate issue(const IssuanceRequest& request) override;
  void revoke(X509* certificate, EVP_PKEY* certificate_key, int reason) override;

  // Replaces the account key at the CA (keyChange), then in the state dir.
  void roll_over_account_key();
  // Deactivates the account at the CA for good; the local key is kept as account.key.deactivated.
  void deactivate_account();

  // Where the account key and URL live: <state>/acme/<directory URL made a folder name>/.
  std::filesystem::path account_dir() const;

 private:
  struct Session;
  Session& session();  // account looked up or created on first use
  AcmeSettings settings_;
  std::filesystem::path state_dir_;
  std::unique_ptr<Session> session_;  // kept across issue() calls: connection and nonce reuse
};

}  // namespace xmppcert::acme
