// The ACME server (RFC 8555) without its transport: a request in, a response out. The web
// front end (wfe/wfe.cc: routing, JWS and nonce checks, problem documents) calls the
// registration authority's handlers (ra/accounts.cc, ra/orders.cc), which decide with
// ra/policy.h, validate with va/validator.h, sign with signer.h and record in sa/storage.h.
// The HTTPS server (wfe/https_server.cc) only moves bytes.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ca/ca_keys.h"
#include "ca/log/transparency_log.h"
#include "ca/metrics.h"
#include "ca/ra/clock.h"
#include "ca/notary/notary_client.h"
#include "ca/sa/storage.h"
#include "ca/signer.h"
#include "ca/va/validator.h"
#include "ca/va/work_queue.h"
#include "ca/wfe/jws_verify.h"
#include "ca/wfe/nonces.h"
#include "ca/wfe/web.h"

namespace xmppcert::ca {

inline constexpr int kDefaultAriRetryAfter = 3600;
inline const std::string kDomainPrefix = "domain:";  // rate events per registered domain

struct ServiceOptions {
  std::string base_url;  // "https://H:PORT", no trailing slash
  std::chrono::seconds lifetime{90 * 86400};
  WorkQueueCaps validations;  // threads, and how many at once per account and per target
  bool eab_required = false;
  std::map<std::string, std::string> eab_keys;  // key id -> HMAC key (raw bytes); never logged
  // A key id binds to the first account it opens; these may open any number ("eab.reusable").
  std::set<std::string> reusable_eab_keys;
  // seconds, renewalInfo's Retry-After: how long after `renew-now` an agent may still not
  // have seen the moved window (an emergency must be able to live with it).
  int ari_retry_after = kDefaultAriRetryAfter;
  int certificates_per_account_per_hour = 300;  // 0: no limit
  // Certificates naming a registered domain (ra/registered_domain.h) in any 7 days, whoever
  // asks; 0: no limit. The suffixes below which a registered domain has three labels or more.
  int certificates_per_registered_domain_per_week = 0;
  std::vector<std::string> registered_domain_suffixes;
  int failed_validations_per_account_per_hour = 60;
  // The federation's XmppAddr policy ("xmpp_addr": "omit"): a CSR's XmppAddrs are checked as
  // always, then left out of the certificate (ejabberd 23.01 cannot verify a peer certificate
  // carrying one). Shown in the directory's meta as "xmppAddr".
  bool omit_xmpp_addr = false;
  // Several instances on one database: nonces valid on every one (HMAC key and used nonces in
  // the database), the base_url the one name in front of them all.
  bool shared_nonces = false;
  const Clock* clock = &system_clock();  // tests pass a clock they move
  // Set: every validation is corroborated by these notaries (ca/notary/notary_client.h).
  notary::NotaryClient* notaries = nullptr;
};

// A POST whose JWS has been checked: signature, nonce, url, and for kid the account.
struct VerifiedPost {
  std::string url;
  std::string payload;  // empty: POST-as-GET
  nlohmann::json header;
  std::optional<AccountRecord> account;  // set with kid
  PKeyPtr key;                           // the key that signed
  nlohmann::json jwk;                    // set with jwk
  nlohmann::json json() const;           // the payload as JSON; malformed when it is not
};

class AcmeService {
 public:
  // `log`: every certificate is sequenced in it in the transaction that stores it.
  AcmeService(ServiceOptions options, IssuingCa& ca, Storage& storage,
              ChallengeValidator& validator, TransparencyLog& log);
  ~AcmeService();

  WebResponse handle(const WebRequest& request);

  // Signs and stores the next CRL when the stored one misses a revocation or is a day old,
  // if this instance gets the signer's lock (every instance on the database competes for it;
  // with `wait`, it waits for it). True when it signed one. serve calls it every few minutes,
  // so the CRL is refreshed long before its nextUpdate even when nobody fetches it.
  bool refresh_crl_if_due(bool wait = false);

 private:
  WebResponse route(const WebRequest& request);
  WebResponse directory() const;
  VerifiedPost verify_post(const WebRequest& request, bool jwk_allowed);

  // ra/accounts.cc
  WebResponse new_account(const VerifiedPost& post);
  WebResponse update_account(const VerifiedPost& post, long long id);
  nlohmann::json account_json(const AccountRecord& account) const;

  // ra/account_keys.cc
  WebResponse key_change(const VerifiedPost& post);
  // The EAB key id that bound the account ("" without one) and whether that key may open more
  // than one (config "eab.reusable" or `eab add --reusable`); AcmeProblem when required and
  // missing, or when its MAC does not verify.
  struct ExternalBinding {
    std::string kid;
    bool reusable = false;
  };
  ExternalBinding check_external_binding(const VerifiedPost& post, const nlohmann::json& payload);

  // renewal_info.cc
  WebResponse renewal_info(const std::string& cert_id);

  // ra/rate_limits.cc: AcmeProblem rateLimited (429, Retry-After) when over a limit. What is
  // under way counts too: a certificate being signed, a validation running (as if it would
  // fail), so that requests sent at once cannot all pass the check before any is recorded.
  // Counted in the database, so every instance on it counts the same.
  // Per account, and per registered domain of `names` (A-labels).
  void check_certificate_rate(long long account,
                              const std::vector<std::string>& names);  // at newOrder
  // Inside finalize's transaction: counts and records the certificate (one event for the
  // account, one per registered domain); returns the events, to release when signing fails.
  std::vector<long long> reserve_certificate(long long account,
                                             const std::vector<std::string>& names);
  void release_certificate(const std::vector<long long>& events);
  std::set<std::string> domain_rate_kinds(const std::vector<std::string>& names) const;
  void check_domain_rates(const std::set<std::string>& kinds, const char* counted);
  // At a challenge POST, inside the transaction that marks the challenge processing: counts
  // and records a running validation; finish it (in the transaction that records its
  // outcome) when it ends.
  long long reserve_validation(long long account);
  void finish_validation(long long event, bool failed);

  // ra/orders.cc
  WebResponse new_order(const VerifiedPost& post);
  WebResponse get_order(const VerifiedPost& post, const std::string& id);
  WebResponse get_authz(const VerifiedPost& post, const std::string& id);
  WebResponse post_challenge(const VerifiedPost& post, const std::string& authz_id,
                             const std::string& type);
  WebResponse finalize(const VerifiedPost& post, const std::string& id);
  // CAA of each valid authorization of `order` whose last check is 8 hours old, looked up
  // again (AcmeProblem caa when it now forbids this CA).
  void recheck_stale_caa(const nlohmann::json& order);
  WebResponse download(const VerifiedPost& post, const std::string& serial);
  // ra/revocation.cc
  WebResponse revoke_cert(const VerifiedPost& post);
  WebResponse crl();

  void run_validation(const std::string& authz_id, const std::string& type,
                      long long rate_event);
  // In one transaction, reads the authorization into `authz` and, when `startable` says the
  // challenge may start, moves it to processing, counts the running validation and queues it.
  // The future is ready when the validation is recorded; invalid when nothing started.
  std::future<void> start_validation(long long account, const std::string& authz_id,
                                     const std::string& type, nlohmann::json& authz,
                                     const std::function<bool(const nlohmann::json&)>& startable);
  // An instance that died mid-validation or mid-finalize leaves its challenge or order
  // "processing" in the shared database for good. Whoever reads one after
  // abandoned_after() (3x the validation deadline, at least 30 s: far beyond any live
  // instance's work, well within a client's patience) runs the validation again, or gives
  // the order up as invalid (the client makes a new one).
  std::time_t abandoned_after() const;
  void restart_abandoned_validations(long long account, const std::string& authz_id,
                                     nlohmann::json& authz);
  void give_up_abandoned_order(const std::string& id, nlohmann::json& order);
  nlohmann::json load_owned(const char* kind, const std::string& id, const VerifiedPost& post);
  nlohmann::json order_json(nlohmann::json& order);
  nlohmann::json authz_json(const std::string& id, const nlohmann::json& authz) const;
  nlohmann::json challenge_json(const std::string& authz_id, const nlohmann::json& authz,
                                const std::string& type) const;

  std::string url(const std::string& path) const { return options_.base_url + path; }
  std::time_t now() const { return options_.clock->now(); }
  std::string authz_status(const nlohmann::json& authz) const;

  ServiceOptions options_;
  IssuingCa& ca_;
  Storage& storage_;
  ChallengeValidator& validator_;
  TransparencyLog& log_;
  Signer signer_;
  NonceService nonces_;
  CaMetrics metrics_;
  // No lock of its own guards orders and authorizations: every read-modify-write of one
  // runs in a storage transaction, which serializes it against every thread and instance.
  std::mutex crl_mutex_;  // one CRL signed at a time in this instance
  // One certificate recorded at a time in this instance: each appends the transparency log's
  // next entry, so two transactions doing it at once would only conflict (PostgreSQL runs one
  // of them again; instances on one database still meet that way).
  std::mutex issue_mutex_;
  std::unique_ptr<WorkQueue> validations_;
};

WebResponse json_response(int status, const nlohmann::json& body, const std::string& location = "");

}  // namespace xmppcert::ca
