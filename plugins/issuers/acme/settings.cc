#include "plugins/issuers/acme/settings.h"

#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/json_fields.h"
#include "plugins/issuers/acme/pinned_root.h"
#include "plugins/issuers/acme/solver_table.h"

namespace xmppcert::acme {

AcmeSettings parse_acme_settings(const nlohmann::json& settings, const std::string& where) {
  JsonFields fields(settings, where);
  fields.allow_only({"directory", "trust", "agree_tos", "email", "eab_kid", "eab_hmac",
                     "http01_address", "http01_port", "webroot", "dns01_hook", "profile",
                     "preferred_chain", "rfc2136_server", "rfc2136_port", "rfc2136_key_file",
                     "tls_alpn01_address", "tls_alpn01_port", "root_sha256", "root_url",
                     "transparency_log", "transparency_log_poll", "on_unexpected"});
  AcmeSettings s;
  auto directory = fields.string("directory");
  if (!directory || directory->rfind("https://", 0) != 0)
    throw UsageError(fields.path_of("directory") + ": an https:// ACME directory URL is required");
  s.directory = *directory;
  s.trust = fields.string("trust").value_or("");
  s.agree_tos = fields.boolean("agree_tos").value_or(false);
  s.email = fields.string("email").value_or("");
  s.eab_kid = fields.string("eab_kid").value_or("");
  s.eab_hmac = fields.string("eab_hmac").value_or("");
  if (s.eab_kid.empty() != s.eab_hmac.empty())
    throw UsageError(where + ": eab_kid and eab_hmac go together");
  if (!s.eab_hmac.empty())
    fields.with_context("eab_hmac", [&] { base64url_decode(s.eab_hmac, "value"); });
  s.http01_address = fields.string("http01_address").value_or(s.http01_address);
  auto port_of = [&](const char* key, int fallback) {
    if (!settings.contains(key)) return fallback;
    const auto& port = settings[key];
    if (!port.is_number_integer() || port.get<int>() < 1 || port.get<int>() > 65535)
      throw UsageError(fields.path_of(key) + ": expected a port number 1-65535");
    return port.get<int>();
  };
  s.http01_port = port_of("http01_port", s.http01_port);
  s.rfc2136_port = port_of("rfc2136_port", s.rfc2136_port);
  s.tls_alpn01_port = port_of("tls_alpn01_port", 0);
  s.tls_alpn01_address = fields.string("tls_alpn01_address").value_or(s.tls_alpn01_address);
  s.rfc2136_server = fields.string("rfc2136_server").value_or("");
  s.rfc2136_key_file = fields.string("rfc2136_key_file").value_or("");
  s.webroot = fields.string("webroot").value_or("");
  s.dns01_hook = fields.strings("dns01_hook").value_or(std::vector<std::string>{});
  s.profile = fields.string("profile").value_or("");
  s.preferred_chain = fields.string("preferred_chain").value_or("");
  if (auto pin = fields.string("root_sha256"))
    s.root_sha256 = normalized_sha256(*pin, fields.path_of("root_sha256"));
  s.root_url = fields.string("root_url").value_or("");
  if (!s.root_url.empty() && s.root_url.rfind("https://", 0) != 0)
    throw UsageError(fields.path_of("root_url") + ": an https:// URL is required");
  if (!s.root_url.empty() && s.root_sha256.empty())
    throw UsageError(fields.path_of("root_url") + ": goes with root_sha256 (the root's pin)");
  if (!s.root_sha256.empty() && !s.trust.empty())
    throw UsageError(where +
                     ": trust and root_sha256 exclude each other (root_sha256 pins "
                     "the CA's own root and trusts only it)");
  s.transparency_log = fields.string("transparency_log").value_or("");
  if (auto poll = fields.string("transparency_log_poll")) {
    fields.with_context("transparency_log_poll",
                        [&] { s.transparency_log_poll = parse_duration(*poll); });
    if (s.transparency_log_poll.count() < 1)
      throw UsageError(fields.path_of("transparency_log_poll") + ": at least 1s");
  }
  s.on_unexpected = fields.strings("on_unexpected").value_or(std::vector<std::string>{});
  if (!s.on_unexpected.empty() && s.transparency_log.empty())
    throw UsageError(fields.path_of("on_unexpected") +
                     ": goes with transparency_log (the log whose alarms it is told)");
  solver_for(s, where);  // exactly one solver is chosen
  return s;
}

}  // namespace xmppcert::acme
