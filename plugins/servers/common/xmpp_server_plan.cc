// XmppServerPlugin as the dry run shows it: the files with owner and mode, the reload or
// restart commands, and the server's config files readable now.
#include "plugins/servers/common/xmpp_server_plugin.h"

namespace xmppcert {
namespace {

const char* holds(FileContent content) {
  switch (content) {
    case FileContent::key:
      return "key";
    case FileContent::fullchain:
      return "fullchain";
    case FileContent::combined:
      return "key+fullchain";
    case FileContent::trust_anchor:
      return "trust anchor";
  }
  return "";
}

}  // namespace

std::vector<PlannedFile> XmppServerPlugin::planned_files(const StoredVersion& version) const {
  std::vector<PlannedFile> out;
  for (const auto& file : files_for(version)) {
    bool secret = file.content == FileContent::key || file.content == FileContent::combined;
    out.push_back(
        {file.path.string(), holds(file.content), secret ? ownership_.key : ownership_.cert});
  }
  return out;
}

std::vector<std::vector<std::string>> XmppServerPlugin::reload_commands() const {
  if (restart_.empty()) return {reload_argv_};
  std::vector<std::vector<std::string>> commands;
  for (const auto& [process, argv] : restart_) commands.push_back(argv);
  return commands;
}

PreflightChecks XmppServerPlugin::preflight() const {
  PreflightChecks checks;
  for (const auto& file : server_config_files())
    checks.push_back(
        check_readable_file(kind_.name + std::string(" config readable: ") + file, file));
  if (trust_anchor_)
    checks.push_back(
        check_readable_file("trust anchor readable: " + trust_anchor_->string(), *trust_anchor_));
  for (auto& check : running_checks()) checks.push_back(std::move(check));
  return checks;
}

// The ports the verification probes (a restart starts the server: nothing to ask then).
PreflightChecks XmppServerPlugin::running_checks() const {
  PreflightChecks checks;
  if (!restart_.empty()) return checks;
  for (const auto& target : probe_targets("")) {
    PreflightCheck check = check_listening(
        kind_.name + std::string(" running: ") + target.host + ":" + std::to_string(target.port) +
            (target.s2s ? " (s2s)" : " (c2s)") + " accepts connections",
        target.host, target.port);
    if (!check.ok())
      check.failure += std::string("; is ") + kind_.name +
                       " running? xmppcert reloads a running server and does not start one: "
                       "start it, then run xmppcert again";
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace xmppcert
