// The issuer interface: a CSR in, a certificate and its chain out. Implementations live in
// plugins/issuers/<name>/ and are listed in plugins/registry.cc.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"
#include "engine/preflight.h"

namespace xmppcert {

struct IssuanceRequest {
  std::string name;
  XmppIdentities identities;
  X509_REQ* csr = nullptr;
  std::chrono::seconds validity{0};  // a wish; many CAs decide themselves
  X509* replaces = nullptr;          // the certificate this one renews, if any (for the CA)
};

struct IssuedCertificate {
  std::string cert_pem;         // the leaf
  std::string chain_pem;        // its issuers, leaf excluded
  std::time_t renew_after = 0;  // the issuer's own renewal time; 0: two thirds
  // The Retry-After of the renewal information asked at issuance (RFC 9773): when to ask
  // again; 0 when the issuer gave none.
  long renewal_info_retry_after = 0;
  // The root the chain leads to, when the issuer knows it (the local CA; a CA whose root
  // the admin pinned): stored with the version, installed as the servers' s2s trust anchor.
  std::string root_pem{};  // ({}: brace-initialising the fields above may leave it out)
};

// An issuer's current advice on when to renew one certificate (the CA's Renewal Information,
// RFC 9773): its suggested window, and when to ask again if it said so (Retry-After).
struct RenewalAdvice {
  std::time_t window_start = 0;
  std::time_t window_end = 0;
  std::optional<std::chrono::seconds> retry_after;
};

// The transparency log an issuer's certificates are in, for the agent to watch
// (plugins/log_watch/): the log list file naming its URL and key (the v3 JSON of
// `xmppcert-ca log-list`), the CA bundle for its HTTPS and how often to look.
struct TransparencyLogSource {
  std::string log_list_file;
  std::string trust_file;  // "": the system's store
  std::chrono::seconds poll{60};
  std::vector<std::string> on_unexpected;  // argv run for each new alarm; empty: none
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

  // The issuer's renewal advice for `certificate`, asked anew (xmppcertd re-polls it). The
  // default, and issuers without such a service: nullopt. OperationError when it could not
  // be asked now.
  virtual std::optional<RenewalAdvice> renewal_advice(X509* /*certificate*/) {
    return std::nullopt;
  }

  // The log this issuer's certificates are in, when the admin named one; nullopt: none.
  virtual std::optional<TransparencyLogSource> transparency_log() { return std::nullopt; }

  // The lifetime a certificate asked for with `requested` will really have, as the dry run
  // shows it. The default: as requested ("90d").
  virtual std::string validity_given(std::chrono::seconds requested) const;

  // The dry run's live checks, free at the CA (engine/preflight.h): files this issuer reads,
  // ports it binds, the server it talks to. None by default.
  virtual PreflightChecks preflight() const { return {}; }
};

}  // namespace xmppcert
