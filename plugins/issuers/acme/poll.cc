#include "plugins/issuers/acme/poll.h"

#include <algorithm>

#include "engine/errors.h"

namespace xmppcert::acme {
namespace {
constexpr auto kPollLimit = std::chrono::seconds(120);
constexpr auto kFirstDelay = std::chrono::milliseconds(1);
constexpr auto kLongestDelay = std::chrono::milliseconds(2000);
}  // namespace

std::chrono::milliseconds poll_delay(int attempt) {
  auto delay = kFirstDelay;
  for (int i = 0; i < attempt && delay < kLongestDelay; ++i) delay *= 2;
  return std::min(delay, kLongestDelay);
}

nlohmann::json poll_until(Transport& transport, const std::string& url,
                          const std::vector<std::string>& waiting) {
  auto deadline = std::chrono::steady_clock::now() + kPollLimit;
  std::optional<int> retry_after;
  for (int attempt = 0;; ++attempt) {
    transport.pause(retry_after ? std::chrono::milliseconds(*retry_after * 1000 + 1)
                          : poll_delay(attempt));
    HttpResponse r = transport.post_as_get(url);
    auto json = nlohmann::json::parse(r.body, nullptr, false);
    std::string status = json.is_object() ? json.value("status", "") : "";
    if (std::find(waiting.begin(), waiting.end(), status) == waiting.end()) return json;
    if (std::chrono::steady_clock::now() >= deadline)
      throw_operation_error(
          "wait for", url,
          "still " + status + " after " + std::to_string(kPollLimit.count()) + " s");
    retry_after = retry_after_seconds(r, 10);
  }
}

std::string problem_detail(const nlohmann::json& object) {
  if (!object.contains("error")) return "no detail";
  const auto& error = object["error"];
  return error.value("type", "") + ": " + error.value("detail", "");
}

}  // namespace xmppcert::acme
