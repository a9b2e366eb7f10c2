// The CA's side of multi-perspective validation (issue 27): every validation is also asked of
// the configured notaries, in parallel with the CA's own and within the same deadline. An
// authorization becomes valid only when the CA's own validation succeeds and the quorum of
// notaries agrees. The default quorum is the CA/Browser Forum's (Baseline Requirements
// §3.2.2.9): with up to five notaries at most one may disagree, with six or more at most two.
// A notary that does not answer in time, answers something that does not verify against its
// pinned key, or answers for another request, disagrees.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ca/ca_keys.h"
#include "ca/problem.h"
#include "ca/va/validator.h"

namespace xmppcert::ca::notary {

struct NotaryEndpoint {
  std::string url;         // "https://ADDR:PORT"
  std::string key_sha256;  // notary_protocol.h
};

// One perspective's view of one validation.
struct Perspective {
  std::string name;  // "ca" or the notary's URL
  bool valid = false;
  nlohmann::json problem;  // ACME problem document when not valid
  std::vector<std::string> addresses;
  long long latency_ms = 0;
  std::string answer;  // the notary's signed answer (JWS) when it verified
  nlohmann::json json() const;
};

// With at most five notaries one may disagree, with more two; never fewer than one agreeing.
int default_quorum(int notaries);

class NotaryClient {
 public:
  // `quorum` 0: default_quorum. UsageError on a URL that is not https or a malformed pin.
  NotaryClient(std::vector<NotaryEndpoint> notaries, int quorum, const IssuingCa& ca);
  ~NotaryClient();

  bool empty() const { return notaries_.empty(); }
  int quorum() const { return quorum_; }

  // Starts asking every notary now; the future holds one Perspective per notary, in config
  // order, at `deadline` at the latest.
  std::future<std::vector<Perspective>> ask(const ChallengeToCheck& challenge, Deadline deadline);

  // The problem when the quorum is not met ("unauthorized", naming each disagreeing notary
  // and what it saw); counts each notary's answer in the metrics.
  std::optional<AcmeProblem> judge(const std::string& domain,
                                   const std::vector<Perspective>& notaries);
  // Prometheus lines: per notary, answers, disagreements and the latency sum.
  std::string exposition() const;

 private:
  Perspective ask_one(size_t index, const ChallengeToCheck& challenge, Deadline deadline);

  struct Counters {
    std::atomic<std::uint64_t> answers{0}, disagreements{0}, latency_ms{0};
  };
  std::vector<NotaryEndpoint> notaries_;
  int quorum_;
  const IssuingCa& ca_;
  std::unique_ptr<Counters[]> counters_;
};

// The audit log line of one validation's perspectives (own first).
std::string describe_perspectives(const std::string& authz_id, const ChallengeToCheck& challenge,
                                  const std::vector<Perspective>& perspectives);

}  // namespace xmppcert::ca::notary
