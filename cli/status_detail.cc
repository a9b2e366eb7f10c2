#include "cli/status_detail.h"

#include <algorithm>

#include "dane/dane_check.h"
#include "dane/dane_rollover.h"
#include "dane/dane_settings.h"
#include "dane/posh.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/fs.h"
#include "plugins/registry.h"
#include "renewal/schedule.h"

namespace xmppcert::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "-" : out;
}

std::vector<std::string> versions_kept(const Store& store, const std::string& name) {
  std::vector<std::string> out;
  for (int n : store.versions(name)) out.push_back("v" + std::to_string(n));
  return out;
}

std::string short_hash(const std::string& hash) {
  return hash.empty() ? "-" : hash.substr(0, 16) + "...";
}

std::string next_key_state(const DaneState& d) {
  if (d.next.empty()) return "none yet";
  if (std::find(d.published.begin(), d.published.end(), d.next) == d.published.end())
    return "not published yet";
  if (d.next_visible_since) return "visible since " + format_utc(d.next_visible_since);
  return "published " + format_utc(d.published_at) + ", not visible yet" +
         (d.last_query ? ", asked " + format_utc(d.last_query) : "");
}

}  // namespace

std::string posh_state(const Store& store, const CertificateRecord& r) {
  std::optional<PoshSettings> posh = posh_settings_of(r.request);
  if (!posh) return "";
  if (r.current_version == 0) return "missing";
  fs::path file = fs::path(posh->dir) / "xmpp-server.json";
  try {
    if (!fs::exists(file)) return "missing";
    auto fingerprints = posh_fingerprints(read_file(file), file.string());
    StoredVersion v = store.version(r.name, r.current_version);
    X509Ptr served = parse_certificate(read_file(v.cert_path()), v.cert_path().string());
    std::string current = certificate_sha256_base64(served.get());
    return std::find(fingerprints.begin(), fingerprints.end(), current) != fingerprints.end()
               ? "current"
               : "stale";
  } catch (const std::exception& e) {
    return std::string("unreadable: ") + e.what();
  }
}

std::string dane_summary(const CertificateRecord& r, std::time_t now) {
  std::optional<DaneSettings> dane = dane_settings_of(r.request);
  if (!dane) return "";
  std::optional<DaneState> state = dane_state_of(r);
  if (!state) return "dane=pending";
  const DaneState& d = *state;
  std::string out = "dane=current:" + short_hash(d.current) + ",next:" + short_hash(d.next) +
                    (d.next_visible_since ? "(visible)" : "(not visible)");
  if (!d.retired.empty())
    out += ",retired:" + short_hash(d.retired) + "@" + format_utc(d.retire_at);
  auto step = next_tlsa_step(d, dane->ttl, now);
  if (step) out += " dane_step=" + format_utc(*step);
  if (!d.waiting.empty()) out += " dane_waiting=\"" + d.waiting + "\"";
  return out;
}

nlohmann::json dane_status_json(const CertificateRecord& r, std::time_t now) {
  std::optional<DaneSettings> dane = dane_settings_of(r.request);
  if (!dane) return nullptr;
  std::optional<DaneState> state = dane_state_of(r);
  nlohmann::json json = state ? dane_state_to_json(*state) : nlohmann::json::object();
  json["publish"] = dane->publish;
  json["ttl"] = dane->ttl.count();
  if (state) {
    auto step = next_tlsa_step(*state, dane->ttl, now);
    json["next_step"] = step ? nlohmann::json(format_utc(*step)) : nlohmann::json();
    json["switch"] = next_key_switch(*state, dane->ttl, now).reason;
  }
  return json;
}

std::string status_detail(const Store& store, const CertificateRecord& r,
                          const std::string& renewed_from) {
  std::string out = r.name + "\n";
  auto line = [&](const std::string& label, const std::string& value) {
    out +=
        "  " + label + std::string(label.size() < 15 ? 15 - label.size() : 1, ' ') + value + "\n";
  };
  line("issuer:", r.request.issuer);
  line("renewed from:", renewed_from + ", by xmppcertd and xmppcert renew");
  line("key type:", key_type_name(r.request.key_type) + (r.request.reuse_key ? " (reused)" : ""));
  line("requested:", join(identities_of(r.request).dns_ids));
  if (r.current_version == 0) {
    line("current:", "never issued");
  } else {
    const StoredVersion v = store.version(r.name, r.current_version);
    line("current:", "v" + std::to_string(r.current_version) + ", serial " +
                         r.certificate.serial_hex + (r.revoked ? " (REVOKED)" : ""));
    line("names:", join(r.certificate.identities.dns_ids));
    if (!r.dropped_identities.empty()) line("dropped:", join(r.dropped_identities));
    if (!r.left_out.empty())
      line("left out:", join(r.left_out) + " (issuing them failed: " + r.left_out_why + ")");
    line("valid:",
         format_utc(r.certificate.not_before) + " to " + format_utc(r.certificate.not_after));
    line("key:", v.key_path().string());
    line("cert:", v.cert_path().string());
    line("chain:", v.chain_path().string());
    line("fullchain:", v.fullchain_path().string());
    line("versions kept:", join(versions_kept(store, r.name)));
    line("renewal time:", format_utc(r.next_renewal));
    if (r.renewal_window_end)
      line("renewal window:", format_utc(r.renewal_window_start) + " to " +
                                  format_utc(r.renewal_window_end) + " (the issuer's)");
    if (r.next_renewal_info_poll) line("next poll:", format_utc(r.next_renewal_info_poll));
  }
  if (!r.pending_names.empty())
    line("pending names:",
         join(r.pending_names) + " (asked by the failed attempt, again at the next action)");
  // As xmppcertd computes it (renewal/schedule.h): a failure's backoff, DANE steps included.
  line("next action:", format_utc(next_action(&r, r.request, std::time(nullptr))));
  if (r.request.install) {
    std::string installed;
    try {
      auto plugin = make_server_plugin(*r.request.install, "record of " + r.name + ".install");
      if (r.current_version > 0)
        for (const auto& file : plugin->installed_files(store.version(r.name, r.current_version)))
          installed += (installed.empty() ? "" : ", ") + file.path;
      line("installed by:", plugin->name());
    } catch (const std::exception& e) {
      line("installed by:", r.request.install->plugin + " (" + e.what() + ")");
    }
    if (!installed.empty()) line("installed to:", installed);
  } else {
    line("installed by:", "nothing (stored only)");
  }
  if (const std::optional<DaneSettings> dane = dane_settings_of(r.request)) {
    std::string ports;
    for (int port : dane->ports) ports += (ports.empty() ? "" : ",") + std::to_string(port);
    line("dane:", "publish " + dane->publish + ", TTL " +
                      format_duration(dane->ttl) + ", ports " + ports +
                      (dane->server.empty()
                           ? ""
                           : ", server " + dane->server + ":" + std::to_string(dane->port)));
    if (const std::optional<DaneState> state = dane_state_of(r); !state) {
      line("TLSA:", "nothing published yet");
    } else {
      const DaneState& d = *state;
      std::time_t now = std::time(nullptr);
      line("TLSA current:", d.current.empty() ? "-" : d.current);
      line("TLSA next:", (d.next.empty() ? "-" : d.next) + " (" + next_key_state(d) + ")");
      if (!d.retired.empty())
        line("TLSA retired:", d.retired + " (removed at " + format_utc(d.retire_at) + ")");
      line("key switch:", next_key_switch(d, dane->ttl, now).reason);
      if (!d.waiting.empty()) line("renewal:", d.waiting);
      if (auto step = next_tlsa_step(d, dane->ttl, now)) line("DANE step:", format_utc(*step));
    }
  }
  if (const std::optional<PoshSettings> posh = posh_settings_of(r.request)) {
    line("posh:", posh->dir + " (expires " + format_duration(posh->expires) + ")");
    std::string state = posh_state(store, r);
    line("POSH documents:", state == "current" ? "name the current certificate"
                            : state == "stale" ? "STALE: do not name the current certificate"
                                               : state);
  }
  if (r.last_attempt)
    line("last attempt:", format_utc(r.last_attempt->time) + " " +
                              (r.last_attempt->ok ? "ok: " : "FAILED: ") + r.last_attempt->message);
  if (r.consecutive_failures > 0)
    line("failures:", std::to_string(r.consecutive_failures) + " in a row");
  return out;
}

}  // namespace xmppcert::cli
