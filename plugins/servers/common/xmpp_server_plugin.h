// The server plugin for XMPP daemons, driven by a ServerKind. Settings (under "install"):
//
//   "plugin": "prosody" | "ejabberd" | "jabberd2" | "jabberd14",
//   "config": "/etc/prosody/prosody.cfg.lua",  the server's own config (default: Debian's)
//   "cert_dir": "/etc/prosody/certs",          where the files go (default: per server)
//   "owner", "group", "key_mode", "cert_mode"  as for `files`; group defaults to the daemon's
//   "reload": ["prosodyctl", "reload"],        argv, no shell (default: per server)
//   "restart": {"c2s": [argv], "s2s": [argv]}  jabberd2: stop the pid in the component's
//                                              pidfile, then start argv (instead of reload)
//   "verify": false | {"host": "127.0.0.1", "c2s_port": 5222, "s2s_port": 5269, "wait": "20s"}
//   "trust_anchor": "/path/ca.pem"             CA root installed for verifying s2s peers, or
//                   "foundation"               the root the issuer sent with each version (the
//                                              foundation CA's pinned root, the local CA's root)
//   "edit_config": true                        add the missing references to the server's
//                                              config (backup beside it) instead of only
//                                              printing them
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/command_runner.h"
#include "engine/fs.h"
#include "plugins/servers/common/install_settings.h"
#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

class XmppServerPlugin : public ServerPlugin {
 public:
  // Reads the server's config now: a UsageError names `where`, or the server's file and line.
  // `crash_points` (tests): those of each installed file's atomic write. `commands` runs the
  // reload argv.
  XmppServerPlugin(const ServerKind& kind, const nlohmann::json& settings, const std::string& where,
                   CrashPoints crash_points = {},
                   const CommandRunner& commands = system_command_runner());

  std::string name() const override { return kind_.name; }
  ServedNames discover() const override;
  void install(const StoredVersion& version) override;
  void reload() override;
  bool rollback() override;
  std::vector<InstalledFile> installed_files(const StoredVersion& version) const override;
  PreflightChecks running_checks() const override;
  std::vector<std::string> remove_config_references(
      const std::vector<InstalledFile>& files) override;
  std::vector<std::string> server_config_files() const override;
  std::vector<std::string> server_config_folders() const override;
  std::vector<std::string> missing_config(const StoredVersion& version) const override;
  std::vector<ProbeTarget> probe_targets(const std::string& domain) const override;
  std::chrono::seconds verify_wait() const override { return verify_wait_; }
  // The dry run's view (xmpp_server_plan.cc).
  std::vector<PlannedFile> planned_files(const StoredVersion& version) const override;
  std::vector<std::vector<std::string>> reload_commands() const override;
  PreflightChecks preflight() const override;

  const ServerFacts& facts() const { return facts_; }
  std::vector<InstallFile> files_for(const StoredVersion& version) const;

 private:
  void read_server_config();  // facts_ from config_
  // xmpp_server_install.cc: install, rollback and the files they write.
  std::string content_for(const InstallFile& file, const StoredVersion& version) const;
  void write(const fs::path& path, const std::string& content,
             const FileOwnership& ownership) const;

  const ServerKind& kind_;
  CrashPoints crash_points_;
  const CommandRunner* commands_;
  fs::path config_;
  ServerFacts facts_;
  fs::path cert_dir_;
  InstallOwnership ownership_;
  std::vector<std::string> reload_argv_;
  std::map<std::string, std::vector<std::string>> restart_;  // process -> argv
  bool verify_ = true;
  std::optional<std::string> verify_host_;
  std::optional<int> c2s_port_;
  std::optional<int> s2s_port_;
  std::chrono::seconds verify_wait_{20};
  std::optional<fs::path> trust_anchor_;
  bool trust_anchor_from_issuer_ = false;          // "trust_anchor": "foundation"
  CommandEnvironment reload_environment_;          // of the version install() wrote last
  CommandEnvironment environment_before_install_;  // what rollback() puts back (none: empty)
  bool edit_config_ = false;
  bool allow_discovered_names_ = false;

  struct Replaced {  // a file as it was before the last install
    fs::path path;
    std::optional<std::string> content;  // none: it did not exist
    FileOwnership ownership;
  };
  std::vector<Replaced> replaced_;
};

}  // namespace xmppcert
