// DNS lookups for validation through libunbound: a validating, caching resolver library
// (NLnet Labs). With a forwarder ("ADDR:PORT", what `serve --resolver` gives) every query
// goes there, loopback included; without one, /etc/resolv.conf's servers are used.
// Lookups run concurrently (libunbound's async API on its own thread; one pump thread here
// delivers the answers), each until the deadline its caller gives: an unanswered lookup
// delays no one else's.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

struct ub_ctx;

namespace xmppcert::ca {

using Deadline = std::chrono::steady_clock::time_point;

struct CaaRecord {
  int flags = 0;
  std::string tag;    // "issue", "issuewild", "iodef"
  std::string value;  // "ca.example; accounturi=..."
};

class Resolver {
 public:
  explicit Resolver(const std::string& forwarder);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // A then AAAA, as text; OperationError naming the name when the lookup itself fails or
  // is not answered by `deadline`.
  std::vector<std::string> addresses(const std::string& name, Deadline deadline);
  std::vector<std::string> txt(const std::string& name, Deadline deadline);
  std::vector<CaaRecord> caa(const std::string& name, Deadline deadline);

 private:
  std::vector<std::string> rdata(const std::string& name, int type, Deadline deadline);
  void pump();  // delivers answers: ub_process whenever unbound's fd is readable
  ub_ctx* ctx_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread pump_;
};

}  // namespace xmppcert::ca
