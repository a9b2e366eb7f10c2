// DNS lookups for validation through libunbound: a validating, caching resolver library
// (NLnet Labs). With a forwarder ("ADDR:PORT", what `serve --resolver` gives) every query
// goes there, loopback included; without one, /etc/resolv.conf's servers are used.
#pragma once

#include <mutex>
#include <string>
#include <vector>

struct ub_ctx;

namespace xmppcert::ca {

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

  // A then AAAA, as text; OperationError naming the name when the lookup itself fails.
  std::vector<std::string> addresses(const std::string& name);
  std::vector<std::string> txt(const std::string& name);
  std::vector<CaaRecord> caa(const std::string& name);

 private:
  std::vector<std::string> rdata(const std::string& name, int type);
  std::mutex mutex_;
  ub_ctx* ctx_ = nullptr;
};

}  // namespace xmppcert::ca
