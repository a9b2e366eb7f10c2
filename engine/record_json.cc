#include "engine/record_json.h"

#include "engine/clock.h"
#include "engine/errors.h"

namespace xmppcert {
namespace {

nlohmann::json identities_to_json(const XmppIdentities& ids) {
  return {{"dns", ids.dns_ids}, {"srv", ids.srv_ids}, {"xmpp_addr", ids.xmpp_addrs}};
}

XmppIdentities identities_from_json(const nlohmann::json& j) {
  return {j.value("dns", std::vector<std::string>{}), j.value("srv", std::vector<std::string>{}),
          j.value("xmpp_addr", std::vector<std::string>{})};
}

}  // namespace

nlohmann::json stored_time_to_json(std::time_t time) {
  return time ? nlohmann::json(format_utc(time)) : nlohmann::json();
}

std::time_t stored_time_from_json(const nlohmann::json& json) {
  return json.is_string() ? parse_utc(json.get<std::string>()) : 0;
}

void add_renewal_outlook(nlohmann::json& json, const CertificateRecord& r) {
  if (r.renewal_window_end)
    json["renewal_window"] = {{"start", format_utc(r.renewal_window_start)},
                              {"end", format_utc(r.renewal_window_end)}};
  if (r.next_renewal_info_poll)
    json["next_renewal_info_poll"] = format_utc(r.next_renewal_info_poll);
  if (!r.left_out.empty()) json["left_out"] = {{"names", r.left_out}, {"why", r.left_out_why}};
  if (!r.pending_names.empty()) json["pending_request"] = {{"names", r.pending_names}};
}

nlohmann::json record_to_json(const CertificateRecord& r) {
  nlohmann::json json{
      {"name", r.name},
      {"request", request_to_json(r.request)},
      {"current_version", r.current_version},
      {"dropped_identities", r.dropped_identities},
      {"next_renewal", stored_time_to_json(r.next_renewal)},
      {"renewal_info_retry_after", r.renewal_info_retry_after},
      {"last_success", stored_time_to_json(r.last_success)},
      {"consecutive_failures", r.consecutive_failures},
      {"revoked", r.revoked},
  };
  if (r.current_version > 0) {
    const auto& c = r.certificate;
    json["certificate"] = {
        {"serial", c.serial_hex},
        {"subject", c.subject},
        {"issuer", c.issuer},
        {"not_before", format_utc(c.not_before)},
        {"not_after", format_utc(c.not_after)},
        {"sha256", c.sha256_fingerprint},
        {"names", identities_to_json(c.identities)},
        {"server_auth", c.server_auth},
        {"client_auth", c.client_auth},
    };
  }
  if (r.last_attempt)
    json["last_attempt"] = {{"time", format_utc(r.last_attempt->time)},
                            {"ok", r.last_attempt->ok},
                            {"message", r.last_attempt->message}};
  add_extensions(json, r.extensions);
  add_renewal_outlook(json, r);
  if (const auto& pending = r.issued_not_installed)
    json["issued_not_installed"] = {
        {"version", pending->version},
        {"issuer", pending->issuer},
        {"issuer_settings", pending->issuer_settings},
        {"renew_after", stored_time_to_json(pending->renew_after)},
        {"renewal_info_retry_after", pending->renewal_info_retry_after}};
  return json;
}

CertificateRecord record_from_json(const nlohmann::json& json, const std::string& origin) {
  try {
    CertificateRecord r;
    r.name = json.at("name").get<std::string>();
    r.request = request_from_json(json.at("request"), r.name, {}, origin + ": request");
    r.current_version = json.value("current_version", 0);
    r.dropped_identities = json.value("dropped_identities", std::vector<std::string>{});
    r.next_renewal = stored_time_from_json(json.value("next_renewal", nlohmann::json()));
    r.renewal_info_retry_after = json.value("renewal_info_retry_after", 0L);
    r.last_success = stored_time_from_json(json.value("last_success", nlohmann::json()));
    r.consecutive_failures = json.value("consecutive_failures", 0);
    r.revoked = json.value("revoked", false);
    if (auto it = json.find("certificate"); it != json.end()) {
      auto& c = r.certificate;
      c.serial_hex = it->at("serial").get<std::string>();
      c.subject = it->value("subject", "");
      c.issuer = it->value("issuer", "");
      c.not_before = stored_time_from_json(it->at("not_before"));
      c.not_after = stored_time_from_json(it->at("not_after"));
      c.sha256_fingerprint = it->at("sha256").get<std::string>();
      c.identities = identities_from_json(it->at("names"));
      c.server_auth = it->value("server_auth", false);
      c.client_auth = it->value("client_auth", false);
    }
    if (auto it = json.find("last_attempt"); it != json.end())
      r.last_attempt = Attempt{stored_time_from_json(it->at("time")), it->at("ok").get<bool>(),
                               it->value("message", "")};
    r.extensions = extensions_from_json(json, extension_sections().record, origin);
    if (auto it = json.find("renewal_window"); it != json.end()) {
      r.renewal_window_start = stored_time_from_json(it->at("start"));
      r.renewal_window_end = stored_time_from_json(it->at("end"));
    }
    r.next_renewal_info_poll =
        stored_time_from_json(json.value("next_renewal_info_poll", nlohmann::json()));
    if (auto it = json.find("left_out"); it != json.end()) {
      r.left_out = it->at("names").get<std::vector<std::string>>();
      r.left_out_why = it->value("why", "");
    }
    if (auto it = json.find("pending_request"); it != json.end())
      r.pending_names = it->at("names").get<std::vector<std::string>>();
    if (auto it = json.find("issued_not_installed"); it != json.end())
      r.issued_not_installed =
          IssuedNotInstalled{it->at("version").get<int>(), it->at("issuer").get<std::string>(),
                             it->value("issuer_settings", nlohmann::json::object()),
                             stored_time_from_json(it->value("renew_after", nlohmann::json())),
                             it->value("renewal_info_retry_after", 0L)};
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw_operation_error("read record", origin, e.what());
  } catch (const UsageError& e) {
    throw_operation_error("read record", origin, e.what());
  }
}

}  // namespace xmppcert
