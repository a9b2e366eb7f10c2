#include "dane/dane_settings.h"

#include <arpa/inet.h>

#include "dane/tlsa_publishers.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/identity.h"
#include "engine/json_fields.h"

namespace xmppcert {
namespace {

int integer_in(const nlohmann::json& json, const char* key, long long low, long long high,
               const JsonFields& fields) {
  const nlohmann::json& value = json.at(key);
  if (!value.is_number_integer() || value.get<long long>() < low || value.get<long long>() > high)
    throw UsageError(fields.path_of(key) + ": expected an integer from " + std::to_string(low) +
                     " to " + std::to_string(high));
  return static_cast<int>(value.get<long long>());
}

// An IP address or a host name: it becomes the "server" line of an nsupdate script and an
// argument of dig.
std::string checked_server(const std::string& server, const JsonFields& fields) {
  unsigned char address[16];
  if (::inet_pton(AF_INET, server.c_str(), address) == 1 ||
      ::inet_pton(AF_INET6, server.c_str(), address) == 1)
    return server;
  fields.with_context("server", [&] { parse_domain(server); });
  return parse_domain(server).ascii;
}

std::string checked_absolute_path(const std::string& path, const char* key,
                                  const JsonFields& fields) {
  if (path.empty() || path.front() != '/' || path.find_first_of("\n\r") != std::string::npos)
    throw UsageError(fields.path_of(key) + ": expected an absolute path, got \"" + path + "\"");
  return path;
}

}  // namespace

DaneSettings dane_settings_from_json(const nlohmann::json& json, const std::string& where) {
  JsonFields fields(json, where);
  fields.allow_only(
      {"publish", "ports", "ttl", "server", "port", "key_file", "zone", "hook", "srv_targets"});
  DaneSettings s;
  s.publish = fields.string("publish").value_or("");
  require_known_tlsa_publisher(s.publish, where);
  if (json.contains("ports")) {
    const auto& ports = json.at("ports");
    if (!ports.is_array() || ports.empty())
      throw UsageError(fields.path_of("ports") + ": expected a non-empty array of port numbers");
    s.ports.clear();
    for (const auto& port : ports) {
      if (!port.is_number_integer() || port.get<long long>() < 1 || port.get<long long>() > 65535)
        throw UsageError(fields.path_of("ports") + ": expected port numbers from 1 to 65535, got " +
                         port.dump());
      s.ports.push_back(port.get<int>());
    }
  }
  if (json.contains("ttl"))
    s.ttl = std::chrono::seconds(integer_in(json, "ttl", 1, kLongestTlsaTtl.count(), fields));
  if (json.contains("port")) s.port = integer_in(json, "port", 1, 65535, fields);
  if (auto server = fields.string("server")) s.server = checked_server(*server, fields);
  if (auto key_file = fields.string("key_file"))
    s.key_file = checked_absolute_path(*key_file, "key_file", fields);
  if (auto zone = fields.string("zone")) {
    fields.with_context("zone", [&] { s.zone = parse_domain(*zone).ascii; });
  }
  if (auto hook = fields.strings("hook")) {
    if (hook->empty()) throw UsageError(fields.path_of("hook") + ": expected a non-empty argv");
    checked_absolute_path(hook->front(), "hook", fields);
    s.hook = *hook;
  }
  fields.with_context("srv_targets", [&] {
    for (const auto& target : fields.strings("srv_targets").value_or(std::vector<std::string>{}))
      s.srv_targets.push_back(parse_domain(target).ascii);
  });
  require_tlsa_publisher_settings(s, where);
  return s;
}

nlohmann::json dane_settings_to_json(const DaneSettings& s) {
  nlohmann::json json{{"publish", s.publish}, {"ports", s.ports}, {"ttl", s.ttl.count()}};
  if (!s.server.empty()) json["server"] = s.server;
  if (s.port != 53) json["port"] = s.port;
  if (!s.key_file.empty()) json["key_file"] = s.key_file;
  if (!s.zone.empty()) json["zone"] = s.zone;
  if (!s.hook.empty()) json["hook"] = s.hook;
  if (!s.srv_targets.empty()) json["srv_targets"] = s.srv_targets;
  return json;
}

PoshSettings posh_settings_from_json(const nlohmann::json& json, const std::string& where) {
  JsonFields fields(json, where);
  fields.allow_only({"dir", "expires"});
  PoshSettings s;
  auto dir = fields.string("dir");
  if (!dir) throw UsageError(where + ": missing key \"dir\"");
  s.dir = checked_absolute_path(*dir, "dir", fields);
  fields.with_context("expires", [&] {
    if (auto expires = fields.string("expires")) s.expires = parse_duration(*expires);
  });
  if (s.expires.count() == 0)
    throw UsageError(fields.path_of("expires") + ": expected a duration longer than 0s");
  return s;
}

nlohmann::json posh_settings_to_json(const PoshSettings& s) {
  return {{"dir", s.dir}, {"expires", format_duration(s.expires)}};
}

std::optional<DaneSettings> dane_settings_of(const CertificateRequest& request) {
  const nlohmann::json* section = extension(request.extensions, "dane");
  if (!section) return std::nullopt;
  return dane_settings_from_json(*section, "certificate \"" + request.name + "\": dane");
}

std::optional<PoshSettings> posh_settings_of(const CertificateRequest& request) {
  const nlohmann::json* section = extension(request.extensions, "posh");
  if (!section) return std::nullopt;
  return posh_settings_from_json(*section, "certificate \"" + request.name + "\": posh");
}

void set_dane_settings(CertificateRequest& request, const DaneSettings& settings) {
  request.extensions["dane"] = dane_settings_to_json(settings);
}

void set_posh_settings(CertificateRequest& request, const PoshSettings& settings) {
  request.extensions["posh"] = posh_settings_to_json(settings);
}

}  // namespace xmppcert
