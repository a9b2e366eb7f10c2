// The ACME server (RFC 8555) without its transport: a request in, a response out. The web
// front end (wfe.cc: routing, JWS and nonce checks, problem documents) calls the
// registration authority's handlers (ra_accounts.cc, ra_orders.cc), which decide with
// policy.h, validate with va.h, sign with signer.h and record in sa/storage.h. The HTTPS
// server (https_server.cc) only moves bytes.
#pragma once

#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ca/ca_keys.h"
#include "ca/jws_verify.h"
#include "ca/log/transparency_log.h"
#include "ca/metrics.h"
#include "ca/nonces.h"
#include "ca/sa/storage.h"
#include "ca/signer.h"
#include "ca/va.h"
#include "ca/web.h"
#include "ca/work_queue.h"

namespace xmppcert::ca {

inline constexpr int kDefaultAriRetryAfter = 3600;

struct ServiceOptions {
  std::string base_url;  // "https://H:PORT", no trailing slash
  std::chrono::seconds lifetime{90 * 86400};
  WorkQueueCaps validations;  // threads, and how many at once per account and per target
  bool eab_required = false;
  std::map<std::string, std::string> eab_keys;  // key id -> HMAC key (raw bytes); never logged
  // seconds, renewalInfo's Retry-After: how long after `renew-now` an agent may still not
  // have seen the moved window (an emergency must be able to live with it).
  int ari_retry_after = kDefaultAriRetryAfter;
  int certificates_per_account_per_hour = 300;  // 0: no limit
  int failed_validations_per_account_per_hour = 60;
  // Several instances on one database: nonces valid on every one (HMAC key and used nonces in
  // the database), the base_url the one name in front of them all.
  bool shared_nonces = false;
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
  AcmeService(ServiceOptions options, IssuingCa& ca, Storage& storage, Validator& validator,
              TransparencyLog& log);
  ~AcmeService();

  WebResponse handle(const WebRequest& request);

 private:
  WebResponse route(const WebRequest& request);
  WebResponse directory() const;
  VerifiedPost verify_post(const WebRequest& request, bool jwk_allowed);

  // ra_accounts.cc
  WebResponse new_account(const VerifiedPost& post);
  WebResponse update_account(const VerifiedPost& post, long long id);
  nlohmann::json account_json(const AccountRecord& account) const;

  // ra_account_keys.cc
  WebResponse key_change(const VerifiedPost& post);
  // The EAB key id that bound the account ("" without one); AcmeProblem when required and
  // missing, or when its MAC does not verify.
  std::string check_external_binding(const VerifiedPost& post, const nlohmann::json& payload);

  // renewal_info.cc
  WebResponse renewal_info(const std::string& cert_id);

  // rate_limits.cc: AcmeProblem rateLimited (429, Retry-After) when over a limit. What is
  // under way counts too: a certificate being signed, a validation running (as if it would
  // fail), so that requests sent at once cannot all pass the check before any is recorded.
  void check_certificate_rate(long long account);  // at newOrder: nothing reserved
  // With state_mutex_ held, at finalize: counts and reserves; release after the insert.
  void reserve_certificate(long long account);
  void release_certificate(long long account);
  // At a challenge POST: counts and reserves; finish when its outcome is recorded.
  void reserve_validation(long long account);
  void finish_validation(long long account, bool failed);

  // ra_orders.cc
  WebResponse new_order(const VerifiedPost& post);
  WebResponse get_order(const VerifiedPost& post, const std::string& id);
  WebResponse get_authz(const VerifiedPost& post, const std::string& id);
  WebResponse post_challenge(const VerifiedPost& post, const std::string& authz_id,
                             const std::string& type);
  WebResponse finalize(const VerifiedPost& post, const std::string& id);
  WebResponse download(const VerifiedPost& post, const std::string& serial);
  // ra_revocation.cc
  WebResponse revoke_cert(const VerifiedPost& post);
  WebResponse crl();
  void refresh_crl();  // with state_mutex_ held

  void run_validation(const std::string& authz_id, const std::string& type);
  nlohmann::json load_owned(const char* kind, const std::string& id, const VerifiedPost& post);
  nlohmann::json order_json(nlohmann::json& order);
  nlohmann::json authz_json(const std::string& id, const nlohmann::json& authz) const;
  nlohmann::json challenge_json(const std::string& authz_id, const nlohmann::json& authz,
                                const std::string& type) const;

  std::string url(const std::string& path) const { return options_.base_url + path; }

  ServiceOptions options_;
  IssuingCa& ca_;
  Storage& storage_;
  Validator& validator_;
  TransparencyLog& log_;
  Signer signer_;
  NonceService nonces_;
  CaMetrics metrics_;
  std::mutex state_mutex_;  // read-modify-write of orders and authorizations
  std::mutex crl_mutex_;
  std::string crl_der_;
  long long crl_number_ = 0;      // with crl_mutex_
  size_t crl_revoked_count_ = 0;  // with crl_mutex_
  std::mutex failures_mutex_;
  std::map<long long, std::vector<std::time_t>> failed_validations_;
  std::map<long long, int> validating_;  // under failures_mutex_
  std::map<long long, int> issuing_;     // under state_mutex_
  std::unique_ptr<WorkQueue> validations_;
};

WebResponse json_response(int status, const nlohmann::json& body, const std::string& location = "");

}  // namespace xmppcert::ca
