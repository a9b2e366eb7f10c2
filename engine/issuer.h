// The issuer interface: a CSR in, a certificate and its chain out. Implementations live in
// plugins/issuers/<name>/ and are listed in plugins/registry.cc.
#pragma once

#include <chrono>
#include <ctime>
#include <string>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"

namespace xmppcert {

struct IssuanceRequest {
  std::string name;
  XmppIdentities identities;
  X509_REQ* csr = nullptr;
  std::chrono::seconds validity{0};  // a wish; CAs like ACME's decide themselves
  X509* replaces = nullptr;          // the certificate this one renews, if any (ACME ARI)
};

struct IssuedCertificate {
  std::string cert_pem;         // the leaf
  std::string chain_pem;        // its issuers, leaf excluded
  std::time_t renew_after = 0;  // the issuer's own renewal time (ACME ARI); 0: two thirds
};

class Issuer {
 public:
  virtual ~Issuer() = default;
  virtual std::string name() const = 0;
  virtual IssuedCertificate issue(const IssuanceRequest& request) = 0;

  // RFC 5280 reason code (0 unspecified, 1 keyCompromise, 4 superseded, 5 cessationOfOperation).
  // With `certificate_key`, the request is signed by the certificate's own key instead of the
  // account's. The default: this issuer cannot revoke.
  virtual void revoke(X509* certificate, EVP_PKEY* certificate_key, int reason);
};

}  // namespace xmppcert
