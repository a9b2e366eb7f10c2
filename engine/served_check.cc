#include "engine/served_check.h"

#include <thread>

#include "engine/certificate.h"
#include "engine/errors.h"

namespace xmppcert {
namespace {

// Empty when `target` serves `fingerprint`, else why not.
std::string check_once(const ProbeTarget& target, const std::string& fingerprint) {
  try {
    ServedChain served = probe_starttls(target, std::chrono::seconds(5));
    std::string got = sha256_fingerprint(served.chain.front().get());
    if (got == fingerprint) return "";
    return "serves certificate " + got.substr(0, 23) + "..., not the installed " +
           fingerprint.substr(0, 23) + "...";
  } catch (const OperationError& e) {
    return e.what();
  }
}

}  // namespace

void verify_served(const std::vector<ProbeTarget>& targets, const std::string& fingerprint,
                   std::chrono::seconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (const auto& target : targets) {
    while (true) {
      std::string problem = check_once(target, fingerprint);
      if (problem.empty()) break;
      if (std::chrono::steady_clock::now() >= deadline)
        throw_operation_error("verify served certificate on", describe_target(target), problem);
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
}

}  // namespace xmppcert
