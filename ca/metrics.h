// What GET /metrics reports, in the Prometheus text exposition format (0.0.4), counted since
// the process started: responses by status class, certificates issued and revoked,
// validations by result, the time finalize takes (CSR in, certificate stored) and the
// process's resident memory. Counts only: no names, serials or accounts. Atomics, because
// the HTTPS threads and the validation threads bump them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace xmppcert::ca {

class CaMetrics {
 public:
  void count_response(int status);
  void count_issued(std::chrono::steady_clock::duration finalize_took);
  void count_revoked() { ++revoked_; }
  void count_validation(bool valid) { ++(valid ? validations_valid_ : validations_invalid_); }
  std::string exposition() const;

 private:
  std::array<std::atomic<std::uint64_t>, 6> responses_{};  // by status / 100, 1xx..5xx
  std::atomic<std::uint64_t> issued_{0};
  std::atomic<std::uint64_t> finalize_microseconds_{0};
  std::atomic<std::uint64_t> revoked_{0};
  std::atomic<std::uint64_t> validations_valid_{0};
  std::atomic<std::uint64_t> validations_invalid_{0};
};

}  // namespace xmppcert::ca
