#include "plugins/log_watch/log_client.h"

#include <nlohmann/json.hpp>

#include "ct/ct_codec.h"

namespace xmppcert::logwatch {
namespace {

nlohmann::json parse_object(const std::string& body, const std::string& resource) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw LogMisbehaved(resource + ": the answer is not a JSON object");
  return json;
}

std::string bytes_field(const nlohmann::json& json, const char* key, const std::string& resource,
                        size_t max_bytes) {
  auto found = json.find(key);
  if (found == json.end() || !found->is_string())
    throw LogMisbehaved(resource + ": no string \"" + key + "\"");
  const std::string& text = found->get_ref<const std::string&>();
  if (text.size() > (max_bytes + 2) / 3 * 4)
    throw LogMisbehaved(resource + ": \"" + key + "\" larger than " + std::to_string(max_bytes) +
                        " bytes");
  auto bytes = ctlog::base64_decode(text);
  if (!bytes) throw LogMisbehaved(resource + ": \"" + key + "\" is not base64");
  return *bytes;
}

ctlog::Hash hash_of(const std::string& bytes, const std::string& what) {
  if (bytes.size() != 32) throw LogMisbehaved(what + " is not a SHA-256 hash");
  ctlog::Hash hash;
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

uint64_t unsigned_field(const nlohmann::json& json, const char* key, const std::string& resource) {
  auto found = json.find(key);
  if (found == json.end() || !found->is_number_unsigned())
    throw LogMisbehaved(resource + ": no non-negative integer \"" + key + "\"");
  return found->get<uint64_t>();
}

// Only "/acme/acct/<digits>": the text goes into our log lines and a hook's environment.
std::string account_path_or_empty(const std::string& text) {
  const std::string prefix = "/acme/acct/";
  std::string id = text.starts_with(prefix) ? text.substr(prefix.size()) : "";
  bool digits = !id.empty() && id.size() <= 19 && id.find_first_not_of("0123456789") == std::string::npos;
  return digits ? text : "";
}

}  // namespace

HttpLogTransport::HttpLogTransport(std::string url, std::string trust_file)
    : url_(std::move(url)), trust_file_(std::move(trust_file)) {}

std::string HttpLogTransport::get(const std::string& path_and_query, size_t max_body) {
  HttpOptions options;
  options.ca_file = trust_file_;
  options.timeout = std::chrono::seconds(20);
  options.max_body = max_body;
  CurlHttpClient client(options);
  std::string url = url_ + "ct/v1/" + path_and_query;
  HttpResponse response = client.get(url);
  if (response.status != 200)
    throw_operation_error("GET", url,
                          "HTTP " + std::to_string(response.status) + ": " +
                              response.body.substr(0, 200));
  return std::move(response.body);
}

std::string HttpLogTransport::post(const std::string& path, const std::string& json,
                                   size_t max_body) {
  HttpOptions options;
  options.ca_file = trust_file_;
  options.timeout = std::chrono::seconds(20);
  options.max_body = max_body;
  CurlHttpClient client(options);
  std::string url = url_ + "ct/v1/" + path;
  HttpResponse response = client.post(url, json, "application/json");
  if (response.status != 200)
    throw_operation_error("POST", url,
                          "HTTP " + std::to_string(response.status) + ": " +
                              response.body.substr(0, 200));
  return std::move(response.body);
}

TreeHead parse_tree_head(const std::string& body) {
  const std::string resource = "get-sth";
  nlohmann::json json = parse_object(body, resource);
  TreeHead head;
  head.tree_size = unsigned_field(json, "tree_size", resource);
  head.timestamp_ms = unsigned_field(json, "timestamp", resource);
  head.root = hash_of(bytes_field(json, "sha256_root_hash", resource, 32),
                      resource + ": sha256_root_hash");
  head.signature = bytes_field(json, "tree_head_signature", resource, 1024);
  return head;
}

std::vector<ctlog::Hash> parse_consistency(const std::string& body) {
  const std::string resource = "get-sth-consistency";
  nlohmann::json json = parse_object(body, resource);
  auto list = json.find("consistency");
  if (list == json.end() || !list->is_array())
    throw LogMisbehaved(resource + ": no array \"consistency\"");
  if (list->size() > kMaxProofHashes)
    throw LogMisbehaved(resource + ": " + std::to_string(list->size()) + " hashes, more than " +
                        std::to_string(kMaxProofHashes));
  std::vector<ctlog::Hash> proof;
  for (const auto& item : *list) {
    auto bytes = item.is_string() ? ctlog::base64_decode(item.get<std::string>()) : std::nullopt;
    if (!bytes) throw LogMisbehaved(resource + ": a proof hash is not base64");
    proof.push_back(hash_of(*bytes, resource + ": a proof hash"));
  }
  return proof;
}

std::pair<uint64_t, std::vector<ctlog::Hash>> parse_audit_path(const std::string& body) {
  const std::string resource = "get-proof-by-hash";
  nlohmann::json json = parse_object(body, resource);
  uint64_t index = unsigned_field(json, "leaf_index", resource);
  auto list = json.find("audit_path");
  if (list == json.end() || !list->is_array())
    throw LogMisbehaved(resource + ": no array \"audit_path\"");
  if (list->size() > kMaxProofHashes)
    throw LogMisbehaved(resource + ": " + std::to_string(list->size()) + " hashes, more than " +
                        std::to_string(kMaxProofHashes));
  std::vector<ctlog::Hash> path;
  for (const auto& item : *list) {
    auto bytes = item.is_string() ? ctlog::base64_decode(item.get<std::string>()) : std::nullopt;
    if (!bytes) throw LogMisbehaved(resource + ": a path hash is not base64");
    path.push_back(hash_of(*bytes, resource + ": a path hash"));
  }
  return {index, path};
}

std::vector<LogEntry> parse_entries(const std::string& body, uint64_t asked) {
  const std::string resource = "get-entries";
  nlohmann::json json = parse_object(body, resource);
  auto list = json.find("entries");
  if (list == json.end() || !list->is_array())
    throw LogMisbehaved(resource + ": no array \"entries\"");
  if (list->empty()) throw LogMisbehaved(resource + ": no entries below the tree size");
  if (list->size() > asked)
    throw LogMisbehaved(resource + ": " + std::to_string(list->size()) + " entries for " +
                        std::to_string(asked) + " asked");
  std::vector<LogEntry> entries;
  for (const auto& item : *list) {
    if (!item.is_object()) throw LogMisbehaved(resource + ": an entry is not an object");
    LogEntry entry{bytes_field(item, "leaf_input", resource, kMaxLeafInput), ""};
    auto account = item.find("xmppcert_account");
    if (account != item.end() && account->is_string())
      entry.account_path = account_path_or_empty(account->get<std::string>());
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string LogClient::get(const std::string& path, size_t max_body) {
  std::string body = transport_.get(path, max_body);
  if (body.size() > max_body)
    throw LogMisbehaved(path + ": answer of " + std::to_string(body.size()) +
                        " bytes, more than " + std::to_string(max_body));
  return body;
}

TreeHead LogClient::get_sth() { return parse_tree_head(get("get-sth", kMaxSmallAnswer)); }

std::vector<ctlog::Hash> LogClient::get_consistency(uint64_t first, uint64_t second) {
  return parse_consistency(get("get-sth-consistency?first=" + std::to_string(first) +
                                   "&second=" + std::to_string(second),
                               kMaxSmallAnswer));
}

std::vector<LogEntry> LogClient::get_entries(uint64_t start, uint64_t end) {
  return parse_entries(
      get("get-entries?start=" + std::to_string(start) + "&end=" + std::to_string(end),
          kMaxEntriesAnswer),
      end - start + 1);
}

}  // namespace xmppcert::logwatch
