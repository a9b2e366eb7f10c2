#include "engine/request.h"

#include <set>

#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/issuer_settings.h"
#include "engine/json_fields.h"

namespace xmppcert {

XmppIdentities identities_of(const CertificateRequest& request) {
  if (request.domains.empty())
    throw UsageError("certificate \"" + request.name + "\": no domain to certify");
  std::vector<DomainName> domains;
  for (const auto& d : request.domains) domains.push_back(parse_domain(d));
  std::vector<DomainName> components;
  for (const auto& c : request.components)
    components.push_back(resolve_component(c, domains.front()));
  XmppIdentities ids = identities_for(domains, components);
  if (!request.xmpp_addr) ids.xmpp_addrs.clear();
  return ids;
}

nlohmann::json request_to_json(const CertificateRequest& request) {
  nlohmann::json json{
      {"domains", request.domains},     {"components", request.components},
      {"issuer", request.issuer},       {"key_type", key_type_name(request.key_type)},
      {"reuse_key", request.reuse_key}, {"validity", format_duration(request.validity)},
  };
  if (!request.xmpp_addr) json["xmpp_addr"] = false;
  if (!request.issuer_settings.empty()) {
    const IssuerSettingsSection* section = issuer_settings_section_of(request.issuer);
    if (!section)
      throw UsageError("certificate \"" + request.name + "\": the issuer \"" + request.issuer +
                       "\" takes no settings");
    json[section->key] = without_secrets(request.issuer_settings, *section);
  }
  add_extensions(json, request.extensions);
  if (request.install) {
    nlohmann::json install = request.install->settings;
    install["plugin"] = request.install->plugin;
    json["install"] = install;
  }
  return json;
}

CertificateRequest request_from_json(const nlohmann::json& json, const std::string& name,
                                     const CertificateRequest& defaults, const std::string& where) {
  JsonFields fields(json, where);
  std::vector<std::string> keys{"domains",   "components", "issuer",   "key_type",
                                "reuse_key", "xmpp_addr",  "validity", "install"};
  for (const auto& key : issuer_settings_keys()) keys.push_back(key);
  for (const auto& section : extension_sections().request) keys.push_back(section.key);
  fields.allow_only(keys);
  CertificateRequest request = defaults;
  request.name = name;
  // A certificate's name is its domain unless it lists its domains; defaults have neither.
  std::vector<std::string> implied_domains;
  if (!name.empty()) implied_domains.push_back(name);
  request.domains = fields.strings("domains").value_or(implied_domains);
  if (auto components = fields.strings("components")) request.components = *components;
  if (auto issuer = fields.string("issuer")) request.issuer = *issuer;
  fields.with_context("key_type", [&] {
    if (auto key_type = fields.string("key_type")) request.key_type = parse_key_type(*key_type);
  });
  if (auto reuse = fields.boolean("reuse_key")) request.reuse_key = *reuse;
  if (auto xmpp_addr = fields.boolean("xmpp_addr")) request.xmpp_addr = *xmpp_addr;
  fields.with_context("validity", [&] {
    if (auto validity = fields.string("validity")) request.validity = parse_validity(*validity);
  });
  for (const auto& section : issuer_settings_sections())
    if (const auto* settings = fields.object(section.key.c_str()))
      request.issuer_settings = *settings;
  for (auto& [key, section] : extensions_from_json(json, extension_sections().request, where))
    request.extensions[key] = std::move(section);
  if (json.contains("install")) {
    const auto& install = json.at("install");
    JsonFields install_fields(install, where + ".install");
    auto plugin = install_fields.string("plugin");
    if (!plugin) throw UsageError(where + ".install: missing key \"plugin\"");
    nlohmann::json settings = install;
    settings.erase("plugin");
    request.install = InstallTarget{*plugin, settings};
  }
  return request;
}

}  // namespace xmppcert
