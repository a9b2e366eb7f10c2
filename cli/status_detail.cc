#include "cli/status_detail.h"

#include "engine/clock.h"
#include "plugins/registry.h"

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

}  // namespace

std::string status_detail(const Store& store, const CertificateRecord& r) {
  std::string out = r.name + "\n";
  auto line = [&](const std::string& label, const std::string& value) {
    out +=
        "  " + label + std::string(label.size() < 15 ? 15 - label.size() : 1, ' ') + value + "\n";
  };
  line("issuer:", r.request.issuer);
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
    line("valid:",
         format_utc(r.certificate.not_before) + " to " + format_utc(r.certificate.not_after));
    line("key:", v.key_path().string());
    line("cert:", v.cert_path().string());
    line("chain:", v.chain_path().string());
    line("fullchain:", v.fullchain_path().string());
    line("versions kept:", join(versions_kept(store, r.name)));
    line("next action:", "renew at " + format_utc(r.next_renewal));
  }
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
  if (r.last_attempt)
    line("last attempt:", format_utc(r.last_attempt->time) + " " +
                              (r.last_attempt->ok ? "ok: " : "FAILED: ") + r.last_attempt->message);
  if (r.consecutive_failures > 0)
    line("failures:", std::to_string(r.consecutive_failures) + " in a row");
  return out;
}

}  // namespace xmppcert::cli
