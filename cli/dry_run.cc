#include "cli/dry_run.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "engine/keys.h"
#include "engine/starttls_probe.h"
#include "renewal/renewal.h"

namespace xmppcert::cli {
namespace {

std::string join(const std::vector<std::string>& items, const char* separator = ",") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string user_name(std::optional<uid_t> uid) {
  uid_t id = uid.value_or(::geteuid());
  const passwd* user = ::getpwuid(id);
  return user ? user->pw_name : std::to_string(id);
}

std::string group_name(std::optional<gid_t> gid) {
  gid_t id = gid.value_or(::getegid());
  const group* found = ::getgrgid(id);
  return found ? found->gr_name : std::to_string(id);
}

std::string describe_file(const PlannedFile& file) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file.ownership.mode));
  return file.path + " (" + file.holds + ", " + mode + " " + user_name(file.ownership.owner) + ":" +
         group_name(file.ownership.group) + ")";
}

// The plugin's files, plus: each file's folder writable.
void print_install(const PlannedCertificate& plan, const StoredVersion& version,
                   PreflightChecks& checks) {
  const ServerPlugin& server = *plan.server;
  std::cout << "  install:  " << server.name() << "\n";
  std::set<std::filesystem::path> folders;
  for (const auto& file : server.planned_files(version)) {
    std::cout << "    " << describe_file(file) << "\n";
    folders.insert(std::filesystem::path(file.path).parent_path());
  }
  for (const auto& folder : folders)
    checks.push_back(
        check_writable_directory("install folder writable: " + folder.string(), folder));
  for (const auto& argv : server.reload_commands())
    std::cout << "  reload:   " << nlohmann::json(argv).dump() << "\n";
  std::vector<std::string> targets;
  for (const auto& target : server.probe_targets(plan.identities.dns_ids.front()))
    targets.push_back(target.host + ":" + std::to_string(target.port) +
                      (target.s2s ? " s2s" : " c2s"));
  std::cout << "  verify:   "
            << (targets.empty() ? "no STARTTLS check" : "STARTTLS " + join(targets, ", ")) << "\n";
  for (const auto& line : server.missing_config(version))
    std::cout << "  the server's config lacks (add it, or run with --edit-config): " << line
              << "\n";
  for (auto& check : server.preflight()) checks.push_back(std::move(check));
}

}  // namespace

int run_preflight(const std::vector<PlannedCertificate>& plans, const Store& store,
                  const std::filesystem::path& state_dir, std::time_t now, bool force) {
  bool all_passed = true;
  for (const auto& plan : plans) {
    const CertificateRequest& request = plan.request;
    const XmppIdentities& ids = plan.identities;
    RenewalDecision decision = renewal_decision(plan, now, force);
    std::cout << request.name << ": would " << (decision.due ? "issue" : "skip") << " ("
              << decision.reason << ")\n";
    std::cout << "  names:    DNS=" << join(ids.dns_ids) << " SRV=" << join(ids.srv_ids)
              << (ids.xmpp_addrs.empty() ? " (no XmppAddr)" : " XmppAddr=" + join(ids.xmpp_addrs))
              << "\n";
    std::cout << "  issuer:   " << request.issuer << ", key " << key_type_name(request.key_type)
              << ", validity " << plan.issuer->validity_given(request.validity) << "\n";

    PreflightChecks checks{
        check_writable_directory("state dir writable: " + state_dir.string(), state_dir)};
    for (auto& check : plan.issuer->preflight()) checks.push_back(std::move(check));
    int current = plan.record ? plan.record->current_version : 0;
    if (plan.server)
      print_install(plan, store.version(request.name, decision.due ? current + 1 : current),
                    checks);
    else
      std::cout << "  install:  none (the certificate stays in the state dir)\n";

    for (const auto& check : checks) {
      std::cout << "  check:    " << check.what << ": "
                << (check.ok() ? "ok" : "FAILED: " + check.failure) << "\n";
      if (check.ok()) continue;
      all_passed = false;
      std::cerr << "xmppcert: " << request.name << ": preflight: " << check.what << ": "
                << check.failure << "\n";
    }
  }
  return all_passed ? kExitOk : kExitFailed;
}

}  // namespace xmppcert::cli
