#include "ca/log/log_list.h"

#include <unistd.h>

#include "ct/ct_codec.h"
#include "engine/encoding.h"
#include "engine/fs.h"

namespace xmppcert::ctlog {
namespace {

std::string rfc3339(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

nlohmann::json log_list(const LogKey& key, const std::string& hostname, const std::string& url,
                        int mmd_seconds, std::time_t now) {
  nlohmann::json log{{"description", "xmppcert foundation CA log " + hostname},
                     {"log_id", base64_of(key.log_id)},
                     {"key", base64_encode(key.spki_der)},
                     {"url", url},
                     {"mmd", mmd_seconds},
                     {"state", {{"usable", {{"timestamp", rfc3339(now)}}}}}};
  nlohmann::json operator_entry{{"name", "xmppcert foundation CA " + hostname},
                                {"email", nlohmann::json::array()},
                                {"logs", {log}}};
  return {
      {"version", "1.0"}, {"log_list_timestamp", rfc3339(now)}, {"operators", {operator_entry}}};
}

void record_log_url(const std::filesystem::path& dir, const std::string& url) {
  write_file_atomically(dir / "log.json", nlohmann::json{{"url", url}}.dump() + "\n",
                        with_mode(0644));
}

std::string recorded_log_url(const std::filesystem::path& dir) {
  auto path = dir / "log.json";
  if (::access(path.c_str(), F_OK) != 0) return "";
  nlohmann::json record = nlohmann::json::parse(read_file(path), nullptr, false);
  if (!record.is_object() || !record.value("url", nlohmann::json()).is_string()) return "";
  return record["url"];
}

}  // namespace xmppcert::ctlog
