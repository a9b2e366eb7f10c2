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
//             "preferred_chain": "ISRG Root X1",                  // pick among alternate chains
//             "root_sha256": "AB:CD:...",   // not "trust": pin the CA's root (foundation)
//             "transparency_log": "/etc/xmppcert/ca-log.json", // watch the CA's log (issue 26)
//             "transparency_log_poll": "60s",
//             "on_unexpected": ["/usr/local/bin/page-admin"] }  // run for each new alarm
//
// When the directory offers renewalInfo (RFC 9773), a renewal names the certificate it
// replaces and the CA's suggested window sets the next renewal time.
//
// Public CAs drop otherName SANs (SRV-ID, XmppAddr) and the clientAuth EKU; the engine
// reports both after issuance (enroll.cc) instead of failing.
//
// One file per resource, like lego: settings, account, order, authorization (challenges
// answered by a solver from solver_table), certificate (chain choice), renewal_info (ARI),
// revocation; all over the signed transport. This class only holds the session together.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/clock_interface.h"
#include "engine/issuer.h"
#include "plugins/issuers/acme/settings.h"

namespace xmppcert::acme {

class AcmeIssuer : public Issuer {
 public:
  // `clock`: the waits between polls and retries (Transport).
  AcmeIssuer(AcmeSettings settings, std::filesystem::path state_dir,
             const Clock& clock = system_clock());
  ~AcmeIssuer() override;
  std::string name() const override { return "acme"; }
  IssuedCertificate issue(const IssuanceRequest& request) override;
  void revoke(X509* certificate, EVP_PKEY* certificate_key, int reason) override;
  // Asks the renewalInfo resource anew (no account needed); nullopt when the CA has none.
  std::optional<RenewalAdvice> renewal_advice(X509* certificate) override;
  // "transparency_log": the log list file, trusted over the CA's own HTTPS trust.
  std::optional<TransparencyLogSource> transparency_log() override;
  // The CA decides the lifetime; the dry run's checks: preflight.cc.
  std::string validity_given(std::chrono::seconds requested) const override;
  PreflightChecks preflight() const override;

  // Replaces the account key at the CA (keyChange), then in the state dir.
  void roll_over_account_key();
  // Deactivates the account at the CA for good; the local key is kept as account.key.deactivated.
  void deactivate_account();

  // Where the account key and URL live: <state>/acme/<directory URL made a folder name>/.
  std::filesystem::path account_dir() const;

 private:
  struct Session;
  // The account looked up or created on first use; for issuing, the one recorded in the state
  // dir will do (no request), with a lookup if the CA then says it does not know it.
  Session& session(bool recorded_account_will_do = false);
  // The CA bundle for the HTTPS: with root_sha256 the pinned root (fetched on first use).
  std::string trust_file() const;
  AcmeSettings settings_;
  std::filesystem::path state_dir_;
  const Clock* clock_;
  std::unique_ptr<Session> session_;  // kept across issue() calls: connection and nonce reuse
};

}  // namespace xmppcert::acme
