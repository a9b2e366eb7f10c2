// The notary's service (`xmppcert-ca notary serve`): one POST route, kValidatePath. It is no
// open proxy: it validates only for a request signed by a CA certificate chained to the
// pinned --ca-root, fresh (issued_at within 30 s, deadline ahead and at most 60 s away) and
// never seen before (the request id); it bounds its work (validations at once, requests per
// minute per CA, the validation deadline: the request's and its own, whichever comes first)
// and, through the VA's Validator, refuses non-global targets unless --validation-networks
// names them, as the CA does. Every answer, refusal included, is logged; a validation's
// answer is signed (notary_protocol.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "ca/va/validator.h"
#include "ca/wfe/web.h"
#include "engine/openssl_ptr.h"

namespace xmppcert::ca::notary {

struct NotaryOptions {
  ValidationOptions validation;  // resolver, ports, validation_networks, timeout
  int max_concurrent = 16;       // validations at once; more get 503
  int per_ca_per_minute = 600;   // requests per signing CA key; more get 429
};

class NotaryService {
 public:
  // `ca_root_pem`: the roots whose CAs may ask (one PEM or several).
  NotaryService(NotaryOptions options, PKeyPtr key, const std::string& ca_root_pem);
  ~NotaryService();
  WebResponse handle(const WebRequest& request);

 private:
  WebResponse validate(const WebRequest& request);
  std::string check_signer(const std::string& certificate_b64, EVP_PKEY* jws_key);  // CA's name
  void check_fresh_and_new(const std::string& request_id, std::int64_t issued_at_ms,
                           std::int64_t deadline_ms);
  void check_rate(const std::string& ca);

  NotaryOptions options_;
  PKeyPtr key_;
  X509_STORE* roots_ = nullptr;
  Validator validator_;
  std::atomic<int> running_{0};
  std::mutex mutex_;
  std::map<std::string, std::int64_t> seen_requests_;            // id -> when it may go
  std::map<std::string, std::deque<std::int64_t>> ca_requests_;  // CA -> times (ms), last minute
};

}  // namespace xmppcert::ca::notary
