#include "ca/ca_config.h"

#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/json_fields.h"
#include "engine/trusted_file.h"

namespace xmppcert::ca {
namespace {

// A port or another number the flags give as text: a string or an integer.
std::optional<std::string> text_or_number(const nlohmann::json& object, const char* key,
                                          const JsonFields& fields) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return fields.string(key);
}

void read_eab(const JsonFields& top, CaConfig& config) {
  const nlohmann::json* eab = top.object("eab");
  if (!eab) return;
  JsonFields fields(*eab, top.path_of("eab"));
  fields.allow_only({"required", "keys", "reusable"});
  config.eab_required = fields.boolean("required").value_or(false);
  config.reusable_eab_keys = fields.strings("reusable").value_or(config.reusable_eab_keys);
  if (const nlohmann::json* keys = fields.object("keys")) {
    for (const auto& [kid, key] : keys->items()) {
      std::string where = fields.path_of("keys") + ".\"" + kid + "\"";
      if (!key.is_string()) throw UsageError(where + ": expected a base64url string");
      try {
        config.eab_keys[kid] = base64url_decode(key.get<std::string>(), "eab key " + kid);
      } catch (const std::exception&) {
        throw UsageError(where + ": not base64url");
      }
    }
  }
  // "required" with no keys here is fine: the keys may be in the database (xmppcert-ca eab).
}

void read_notaries(const nlohmann::json& json, const JsonFields& top, CaConfig& config) {
  config.notary_quorum = top.integer("notary_quorum", 1, 32);
  auto it = json.find("notaries");
  if (it == json.end()) {
    if (config.notary_quorum)
      throw UsageError(top.path_of("notary_quorum") + ": set, but no \"notaries\" are configured");
    return;
  }
  if (!it->is_array() || it->size() > 32)
    throw UsageError(top.path_of("notaries") + ": expected an array of at most 32 notaries");
  for (size_t i = 0; i < it->size(); ++i) {
    std::string where = top.path_of("notaries") + "[" + std::to_string(i) + "]";
    if (!(*it)[i].is_object()) throw UsageError(where + ": expected {\"url\", \"key_sha256\"}");
    JsonFields fields((*it)[i], where);
    fields.allow_only({"url", "key_sha256"});
    auto url = fields.string("url");
    auto key = fields.string("key_sha256");
    if (!url || !url->starts_with("https://"))
      throw UsageError(fields.path_of("url") + ": expected https://ADDR:PORT");
    if (!key || key->size() != 64 ||
        key->find_first_not_of("0123456789abcdef") != std::string::npos)
      throw UsageError(fields.path_of("key_sha256") +
                       ": expected 64 lower-case hex digits (xmppcert-ca notary init prints it)");
    config.notaries.push_back({*url, *key});
  }
  if (config.notary_quorum &&
      *config.notary_quorum > static_cast<long long>(config.notaries.size()))
    throw UsageError(top.path_of("notary_quorum") + ": more than the " +
                     std::to_string(config.notaries.size()) + " notaries configured");
}

void read_config(const nlohmann::json& json, const std::string& origin, CaConfig& config) {
  JsonFields top(json, origin);
  top.allow_only({"listen", "validation_http_port", "validation_tls_port", "resolver", "lifetime",
                  "caa_identity", "eab", "ari_retry_after", "rate_limits", "validation_networks",
                  "validation_timeout", "validation_threads", "validations_per_account",
                  "validations_per_target", "max_connections", "max_connections_per_address",
                  "base_url", "storage", "xmpp_addr", "notaries",
                  "notary_quorum"});
  config.listen = top.string("listen");
  config.validation_http_port = text_or_number(json, "validation_http_port", top);
  config.validation_tls_port = text_or_number(json, "validation_tls_port", top);
  config.resolver = top.string("resolver");
  config.lifetime = top.string("lifetime");
  config.caa_identity = top.string("caa_identity");
  read_eab(top, config);
  config.ari_retry_after = top.string("ari_retry_after");
  config.xmpp_addr = top.string("xmpp_addr");
  if (config.xmpp_addr && *config.xmpp_addr != "issue" && *config.xmpp_addr != "omit")
    throw UsageError(top.path_of("xmpp_addr") + ": \"" + *config.xmpp_addr +
                     "\"; expected \"issue\" or \"omit\"");
  if (const nlohmann::json* limits = top.object("rate_limits")) {
    JsonFields fields(*limits, top.path_of("rate_limits"));
    fields.allow_only(
        {"certificates_per_account_per_hour", "failed_validations_per_account_per_hour",
         "certificates_per_registered_domain_per_week", "registered_domain_suffixes"});
    config.certificates_per_account_per_hour =
        fields.integer("certificates_per_account_per_hour", 0, 1000000);
    config.failed_validations_per_account_per_hour =
        fields.integer("failed_validations_per_account_per_hour", 0, 1000000);
    config.certificates_per_registered_domain_per_week =
        fields.integer("certificates_per_registered_domain_per_week", 0, 1000000);
    for (const auto& suffix :
         fields.strings("registered_domain_suffixes").value_or(std::vector<std::string>{})) {
      if (suffix.empty() || suffix.front() == '.' || suffix.back() == '.' ||
          suffix.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos)
        throw UsageError(fields.path_of("registered_domain_suffixes") + ": \"" + suffix +
                         "\"; expected a suffix like \"co.uk\" (lower case, A-labels)");
      config.registered_domain_suffixes.push_back(suffix);
    }
  }
  config.validation_networks =
      top.strings("validation_networks").value_or(config.validation_networks);
  config.validation_timeout = top.string("validation_timeout");
  config.validation_threads = top.integer("validation_threads", 1, 256);
  config.validations_per_account = top.integer("validations_per_account", 1, 256);
  config.validations_per_target = top.integer("validations_per_target", 1, 256);
  config.max_connections = top.integer("max_connections", 1, 1000000);
  config.max_connections_per_address = top.integer("max_connections_per_address", 1, 1000000);
  config.base_url = top.string("base_url");
  if (config.base_url && !config.base_url->starts_with("https://"))
    throw UsageError(top.path_of("base_url") + ": must be a URL like https://ca.example:443");
  config.storage = read_storage_config(json, origin);
  read_notaries(json, top, config);
}

}  // namespace

CaConfig load_ca_config(const std::optional<std::filesystem::path>& path) {
  CaConfig config;
  if (!path) return config;
  const std::string origin = "serve: " + path->string();
  // It decides who may get certificates (EAB, limits, validation networks): as trusted as root.
  std::string text = read_trusted_file(*path, "CA config");
  nlohmann::json json = parse_config_json(text, origin);
  try {
    read_config(json, origin, config);
  } catch (const UsageError& error) {
    throw UsageError(with_line_of_unknown_key(error.what(), text, origin));
  }
  return config;
}

}  // namespace xmppcert::ca
