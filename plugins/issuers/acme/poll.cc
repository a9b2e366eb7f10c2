#include "plugins/issuers/acme/poll.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/errors.h"

namespace xmppcert::acme {
namespace {
constexpr auto kPollLimit = std::chrono::seconds(120);
}

nlohmann::json poll_until(Transport& transport, const std::string& url,
                          const std::vector<std::string>& waiting) {
  auto deadline = std::chrono::steady_clock::now() + kPollLimit;
  int delay_ms = 100;
  for (;;) {
    HttpResponse r = transport.post_as_get(url);
    auto json = nlohmann::json::parse(r.body, nullptr, false);
    std::string status = json.is_object() ? json.value("status", "") : "";
    if (std::find(waiting.begin(), waiting.end(), status) == waiting.end()) return json;
    if (std::chrono::steady_clock::now() >= deadline)
      throw_operation_error(
          "wait for", url,
          "still " + status + " after " + std::to_string(kPollLimit.count()) + " s");
    auto retry_after = retry_after_seconds(r, 10);
    std::this_thread::sleep_for(retry_after ? std::chrono::milliseconds(*retry_after * 1000 + 1)
                                            : std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 2000);
  }
}

std::string problem_detail(const nlohmann::json& object) {
  if (!object.contains("error")) return "no detail";
  const auto& error = object["error"];
  return error.value("type", "") + ": " + error.value("detail", "");
}

}  // namespace xmppcert::acme
