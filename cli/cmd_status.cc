// xmppcert status: one line, or one JSON object, per stored certificate. Reads only the
// records (no certificate parsing), so it stays fast with thousands of certificates.
#include <iostream>

#include "cli/commands.h"
#include "cli/session.h"
#include "cli/status_detail.h"
#include "cli/transparency_log_check.h"
#include "dane/dane_settings.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/record_json.h"
#include "engine/store.h"
#include "renewal/schedule.h"

namespace xmppcert::cli {
extern const char* const kStatusUsage =
    R"(usage: xmppcert status [NAME] [--json] [--state-dir DIR] [--config FILE]

One line per certificate: name, version, issuer, expiry, next renewal, the next action as
xmppcertd computes it (after a failure: the end of its backoff), the issuer's renewal window
and next renewalInfo poll when it has one, last outcome, the names it carries, names a
renewal left out (left_out=), after a failed attempt the names the next one asks for
(pending=) and where the request xmppcertd and `xmppcert renew` renew it
from (renewed_from=config: its entry in the --config FILE; stored-request: what enroll
stored). With --json, a JSON array with one object per certificate. With NAME, the detail of
that certificate: names, validity, the paths of its stored files, the versions kept, where it
is installed, the renewal window, the next action and the last outcome. Without NAME and --json,
an "ALARM:" line follows for each open alarm of the transparency log watch (`xmppcert ack`).

exit codes: 0 ok, 1 the state dir could not be read, 2 usage error
)";

namespace {

std::string join(const std::vector<std::string>& items, const std::string& prefix) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + prefix + item;
  return out;
}

// Every stored certificate is renewed by xmppcertd and `xmppcert renew`, from its config entry
// when the config has one, else from the request stored with it.
bool configured(const Session& session, const std::string& name) {
  return session.config && session.config->find(name);
}

nlohmann::json status_json(const Session& session, const Store& store, const CertificateRecord& r) {
  nlohmann::json json{
      {"name", r.name},
      {"version", r.current_version},
      {"issuer", r.request.issuer},
      {"key_type", key_type_name(r.request.key_type)},
      {"domains", r.request.domains},
      {"components", r.request.components},
      {"dropped_identities", r.dropped_identities},
      {"consecutive_failures", r.consecutive_failures},
      {"next_renewal",
       r.next_renewal ? nlohmann::json(format_utc(r.next_renewal)) : nlohmann::json()},
      {"renewed_from", configured(session, r.name) ? origin_of(session, r.name) : "stored request"},
      {"next_action", format_utc(next_action(&r, r.request, std::time(nullptr)))},
  };
  add_renewal_outlook(json, r);
  if (r.current_version > 0) {
    const auto& c = r.certificate;
    json["serial"] = c.serial_hex;
    json["not_before"] = format_utc(c.not_before);
    json["not_after"] = format_utc(c.not_after);
    json["sha256"] = c.sha256_fingerprint;
    json["identities"] = {{"dns", c.identities.dns_ids},
                          {"srv", c.identities.srv_ids},
                          {"xmpp_addr", c.identities.xmpp_addrs}};
    json["client_auth"] = c.client_auth;
  }
  if (r.last_attempt)
    json["last_attempt"] = {{"time", format_utc(r.last_attempt->time)},
                            {"ok", r.last_attempt->ok},
                            {"message", r.last_attempt->message}};
  if (dane_settings_of(r.request)) json["dane"] = dane_status_json(r, std::time(nullptr));
  if (const std::optional<PoshSettings> posh = posh_settings_of(r.request)) {
    json["posh"] = posh_settings_to_json(*posh);
    json["posh"]["documents"] = posh_state(store, r);
  }
  return json;
}

std::string status_line(const Session& session, const CertificateRecord& r) {
  std::string line = r.name;
  if (r.current_version == 0) {
    line += " (never issued)";
  } else {
    line += " v" + std::to_string(r.current_version) + " issuer=" + r.request.issuer +
            " expires=" + format_utc(r.certificate.not_after) +
            " next_renewal=" + format_utc(r.next_renewal);
  }
  // The time xmppcertd computes (renewal/schedule.h): after a failure, the backoff's end.
  line += " next_action=" + format_utc(next_action(&r, r.request, std::time(nullptr)));
  if (r.renewal_window_end)
    line += " renewal_window=" + format_utc(r.renewal_window_start) + ".." +
            format_utc(r.renewal_window_end);
  if (r.next_renewal_info_poll) line += " next_poll=" + format_utc(r.next_renewal_info_poll);
  if (r.last_attempt)
    line += std::string(" last=") + (r.last_attempt->ok ? "ok" : "FAILED") + "@" +
            format_utc(r.last_attempt->time);
  if (r.current_version > 0) line += " names=" + join(r.certificate.identities.dns_ids, "");
  if (!r.dropped_identities.empty()) line += " dropped=" + join(r.dropped_identities, "");
  if (!r.left_out.empty()) line += " left_out=" + join(r.left_out, "");
  if (!r.pending_names.empty()) line += " pending=" + join(r.pending_names, "");
  if (dane_settings_of(r.request)) line += " " + dane_summary(r, std::time(nullptr));
  if (const std::optional<PoshSettings> posh = posh_settings_of(r.request))
    line += " posh=" + posh->dir;
  line += configured(session, r.name) ? " renewed_from=config" : " renewed_from=stored-request";
  if (r.last_attempt && !r.last_attempt->ok) line += " error=\"" + r.last_attempt->message + "\"";
  return line;
}

}  // namespace

int run_status(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("status", raw, {{"--json", false}, kConfigOption, kStateDirOption});
  if (args.positional().size() > 1)
    throw UsageError("status: one NAME at most, got " + args.positional()[1]);
  Session session = open_session(args);
  require_existing_state_dir(session, "status");
  const Store& store = *session.store;
  if (!args.positional().empty()) {
    const std::string& name = args.positional().front();
    validate_certificate_name(name);
    std::optional<CertificateRecord> record = store.load(name);
    if (!record)
      throw UsageError("status: no certificate named \"" + name + "\" in " +
                       session.state_dir.string());
    std::cout << (args.has("--json")
                      ? status_json(session, store, *record).dump() + "\n"
                      : status_detail(store, *record,
                                      configured(session, name)
                                          ? origin_of(session, name)
                                          : "its stored request (what enroll stored)"));
    return kExitOk;
  }
  auto records = store.load_all();
  std::string out;
  if (args.has("--json")) {
    out = "[";
    for (size_t i = 0; i < records.size(); ++i)
      out += (i ? ",\n" : "\n") + status_json(session, store, records[i]).dump();
    out += records.empty() ? "]\n" : "\n]\n";
  } else {
    for (const auto& record : records) out += status_line(session, record) + "\n";
    out += open_log_alarm_lines(session);  // the log watch's, until `xmppcert ack`
  }
  std::cout << out;
  return kExitOk;
}

}  // namespace xmppcert::cli
