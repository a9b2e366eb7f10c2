#include "agent/managed_certificates.h"

#include <map>

#include "engine/config.h"

namespace xmppcert {

ManagedCertificates plan_managed_certificates(const std::optional<std::filesystem::path>& config,
                                              const Store& store,
                                              const std::filesystem::path& state_dir,
                                              const ServerPluginFactory& make_server) {
  ManagedCertificates managed;
  std::vector<PlannedCertificate> plans;
  std::set<std::string> configured;
  if (config) {
    Config loaded = load_config(*config);
    for (const auto& file : loaded.files)
      managed.config_files.insert(std::filesystem::absolute(file));
    // A snippet added later to an included folder must be seen too: watch the folders.
    for (const auto& pattern : loaded.include) {
      std::filesystem::path full = pattern;
      if (full.is_relative()) full = config->parent_path() / full;
      managed.snippet_dirs.insert(std::filesystem::absolute(full.parent_path()).lexically_normal());
    }
    for (const auto& request : loaded.certificates) configured.insert(request.name);
    auto where = [&](const std::string& name) {
      return config->string() + ": certificates.\"" + name + "\"";
    };
    plans = plan_certificates(loaded.certificates, {state_dir, where, make_server, {}});
  }
  std::vector<CertificateRecord> records;
  for (auto& record : store.load_all())
    if (!configured.count(record.name)) records.push_back(std::move(record));
  auto stored = plan_stored_certificates(
      std::move(records),
      {state_dir, [](const std::string& name) { return "record of " + name; }, make_server, {}});
  managed.certificates.reserve(plans.size() + stored.size());
  // Between turns a kept plan holds what a reload compares and a turn needs: the request,
  // its origin and server plugin. Its issuer and identities are made again at the turn
  // (complete_plan), in the operation's child: 10,000 plans stay small.
  auto manage = [&](PlannedCertificate& plan, bool from_config) {
    plan.issuer.reset();
    plan.identities = {};
    ManagedCertificate& certificate = managed.certificates.emplace_back();
    certificate.plan = std::move(plan);
    certificate.configured = from_config;
  };
  for (auto& plan : plans) manage(plan, true);
  for (auto& plan : stored) manage(plan, false);
  return managed;
}

void keep_schedules(std::vector<ManagedCertificate>& after,
                    const std::vector<ManagedCertificate>& before) {
  std::map<std::string, const ManagedCertificate*> by_name;
  for (const auto& certificate : before) by_name[certificate.name()] = &certificate;
  for (auto& certificate : after) {
    auto found = by_name.find(certificate.name());
    if (found == by_name.end()) continue;
    const ManagedCertificate& old = *found->second;
    certificate.next_poll = old.next_poll;
    if (old.plan.request != certificate.plan.request) continue;
    certificate.failures = old.failures;
    certificate.backoff_until = old.backoff_until;
  }
}

}  // namespace xmppcert
