#include "engine/config.h"

#include <algorithm>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/issuer_settings.h"
#include "engine/json_fields.h"
#include "engine/trusted_file.h"

namespace xmppcert {
namespace {

// A config or snippet sets argv that root runs: refused unless only root (or we) can write it.
std::string read_config_text(const std::filesystem::path& path) {
  return read_trusted_file(path, "config");
}

void add_certificates(const nlohmann::json& certificates, const std::string& origin,
                      Config& config) {
  for (const auto& [name, entry] : certificates.items()) {
    std::string where = origin + ": certificates.\"" + name + "\"";
    for (const auto& existing : config.certificates)
      if (existing.name == name)
        throw UsageError(where + ": certificate \"" + name + "\" is defined twice");
    CertificateRequest request = request_from_json(entry, name, config.defaults, where);
    // "domains": [] with an install: every domain the server's config serves (what a server
    // package's conf.d snippet says, not knowing the host's domains); found when renewing.
    bool from_server = request.domains.empty() && request.install;
    if (!from_server)
      JsonFields(entry, where).with_context("domains", [&] { identities_of(request); });
    config.certificates.push_back(std::move(request));
  }
}

// A snippet a packager ships (conf.d/prosody.json): only "certificates".
void add_snippet(const std::filesystem::path& path, Config& config) {
  std::string text = read_config_text(path);
  nlohmann::json json = parse_config_json(text, path.string());
  try {
    JsonFields top(json, path.string());
    top.allow_only({"certificates"});
    if (const auto* certificates = top.object("certificates"))
      add_certificates(*certificates, path.string(), config);
  } catch (const UsageError& e) {
    throw UsageError(with_line_of_unknown_key(e.what(), text, path.string()));
  }
  config.files.push_back(path);
}

}  // namespace

const CertificateRequest* Config::find(const std::string& name) const {
  for (const auto& request : certificates)
    if (request.name == name) return &request;
  for (const auto& request : certificates)
    if (std::find(request.domains.begin(), request.domains.end(), name) != request.domains.end())
      return &request;
  return nullptr;
}

Config parse_config(const std::string& text, const std::string& origin) {
  nlohmann::json json = parse_config_json(text, origin);
  try {
    Config config;
    JsonFields top(json, origin);
    top.allow_only({"state_dir", "defaults", "certificates", "include"});
    if (auto include = top.strings("include")) config.include = *include;
    if (auto dir = top.string("state_dir")) config.state_dir = *dir;
    if (const auto* defaults = top.object("defaults")) {
      JsonFields fields(*defaults, origin + ": defaults");
      std::vector<std::string> keys{"issuer", "key_type", "reuse_key", "xmpp_addr", "validity"};
      for (const auto& key : issuer_settings_keys()) keys.push_back(key);
      fields.allow_only(keys);
      config.defaults = request_from_json(*defaults, "", {}, origin + ": defaults");
      config.defaults.domains.clear();
    }
    if (const auto* certificates = top.object("certificates"))
      add_certificates(*certificates, origin, config);
    return config;
  } catch (const UsageError& e) {
    throw UsageError(with_line_of_unknown_key(e.what(), text, origin));
  }
}

std::string with_config_line(const std::string& message, const Config& config) {
  for (const auto& file : config.files) {
    const std::string prefix = file.string() + ": certificates.\"";
    if (message.rfind(prefix, 0) != 0) continue;
    size_t name_end = message.find('"', prefix.size());
    size_t path_end = message.find(": ", name_end);
    if (name_end == std::string::npos || path_end == std::string::npos) return message;
    // The key: the one named unknown, else the last one of the key path.
    std::string key;
    const std::string marker = "unknown key \"";
    if (size_t at = message.find(marker, path_end); at != std::string::npos)
      key = message.substr(at + marker.size(),
                           message.find('"', at + marker.size()) - at - marker.size());
    else
      key = message.substr(message.rfind('.', path_end) + 1,
                           path_end - message.rfind('.', path_end) - 1);
    std::string text;
    try {
      text = read_file(file);
    } catch (const OperationError&) {
      return message;
    }
    size_t entry = text.find("\"" + message.substr(prefix.size(), name_end - prefix.size()) + "\"");
    size_t position = entry == std::string::npos ? entry : text.find("\"" + key + "\"", entry);
    if (position == std::string::npos) return message;
    long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(position), '\n');
    return file.string() + ":" + std::to_string(line) + message.substr(file.string().size());
  }
  return message;
}

Config load_config(const std::filesystem::path& path) {
  Config config = parse_config(read_config_text(path), path.string());
  config.files.push_back(path);
  for (const auto& pattern : config.include) {
    std::filesystem::path full = pattern;
    if (full.is_relative()) full = path.parent_path() / full;
    for (const auto& snippet : glob_paths(full)) add_snippet(snippet, config);
  }
  return config;
}

}  // namespace xmppcert
