#include "plugins/servers/files/files_plugin.h"

#include "engine/command_runner.h"
#include "engine/errors.h"
#include "engine/json_fields.h"
#include "engine/log.h"
#include "engine/reload_environment.h"
#include "plugins/servers/common/install_settings.h"

namespace xmppcert {
namespace {

std::string key_of(const StoredVersion& v) { return read_file(v.key_path()); }
std::string cert_of(const StoredVersion& v) { return read_file(v.cert_path()); }
std::string chain_of(const StoredVersion& v) { return read_file(v.chain_path()); }
std::string fullchain_of(const StoredVersion& v) { return read_file(v.fullchain_path()); }
std::string combined_of(const StoredVersion& v) { return key_of(v) + fullchain_of(v); }

}  // namespace

FilesPlugin::FilesPlugin(const nlohmann::json& settings, const std::string& where,
                         const CommandRunner& commands)
    : commands_(&commands) {
  JsonFields fields(settings, where);
  fields.allow_only({"key", "cert", "chain", "fullchain", "combined", "owner", "group", "key_mode",
                     "cert_mode", "reload"});
  struct Kind {
    const char* key;
    std::string (*content)(const StoredVersion&);
    bool secret;
  };
  for (const Kind& kind :
       {Kind{"key", key_of, true}, Kind{"cert", cert_of, false}, Kind{"chain", chain_of, false},
        Kind{"fullchain", fullchain_of, false}, Kind{"combined", combined_of, true}})
    if (auto path = parse_absolute_path(fields, kind.key))
      targets_.push_back({*path, kind.content, kind.secret, kind.key});
  if (targets_.empty())
    throw UsageError(where + ": name at least one of key, cert, chain, fullchain, combined");
  bool has_key = false, has_certificate = false;
  for (const auto& target : targets_) (target.secret ? has_key : has_certificate) = true;
  certificate_without_key_ = has_certificate && !has_key;
  where_ = where;
  ownership_ = parse_ownership(fields);
  reload_argv_ = parse_argv(fields, "reload").value_or(std::vector<std::string>{});
}

void FilesPlugin::install(const StoredVersion& version) {
  if (certificate_without_key_)
    log_warning(where_,
                "warning: installs the certificate but not its private key (no \"key\" "
                "or \"combined\"); the server keeps whatever key it has, which does not "
                "match a new certificate");
  std::vector<std::string> paths;
  for (const auto& target : targets_) paths.push_back(target.path.string());
  reload_environment_ = reload_environment(version, paths);
  for (const auto& target : targets_)
    write_file_atomically(target.path, target.content(version),
                          target.secret ? ownership_.key : ownership_.cert);
}

std::vector<InstalledFile> FilesPlugin::installed_files(const StoredVersion& version) const {
  std::vector<InstalledFile> out;
  for (const auto& target : targets_)
    out.push_back({target.path.string(), target.content(version)});
  return out;
}

std::vector<PlannedFile> FilesPlugin::planned_files(const StoredVersion&) const {
  std::vector<PlannedFile> out;
  for (const auto& target : targets_)
    out.push_back({target.path.string(), target.holds,
                   target.secret ? ownership_.key : ownership_.cert});
  return out;
}

std::vector<std::vector<std::string>> FilesPlugin::reload_commands() const {
  if (reload_argv_.empty()) return {};
  return {reload_argv_};
}

void FilesPlugin::reload() {
  if (!reload_argv_.empty())
    commands_->run_checked(reload_argv_, "reload", "", reload_environment_);
}

}  // namespace xmppcert
