// The generic `files` server plugin: copies the key, certificate, chain, full chain and/or a
// combined key+chain PEM to configured paths with configured owner, group and mode, each
// atomically, then runs an optional reload argv (no shell). The escape hatch for any server
// without a plugin of its own.
//
//   "install": { "plugin": "files",
//                "key": "/etc/xmpp/example.org.key", "fullchain": "/etc/xmpp/example.org.crt",
//                "cert": ..., "chain": ..., "combined": ...,
//                "owner": "root", "group": "prosody", "key_mode": "0640", "cert_mode": "0644",
//                "reload": ["/usr/bin/prosodyctl", "reload"] }
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/command_runner.h"
#include "engine/fs.h"
#include "engine/server_plugin.h"
#include "plugins/servers/common/install_settings.h"

namespace xmppcert {

class FilesPlugin : public ServerPlugin {
 public:
  // Throws UsageError naming `where` and the key for any bad setting. `commands` runs the
  // reload argv.
  FilesPlugin(const nlohmann::json& settings, const std::string& where,
              const CommandRunner& commands = system_command_runner());

  std::string name() const override { return "files"; }
  void install(const StoredVersion& version) override;
  void reload() override;
  std::vector<InstalledFile> installed_files(const StoredVersion& version) const override;
  std::vector<PlannedFile> planned_files(const StoredVersion& version) const override;
  std::vector<std::vector<std::string>> reload_commands() const override;

 private:
  struct Target {
    std::filesystem::path path;
    std::string (*content)(const StoredVersion&);
    bool secret;
    const char* holds;  // the settings key: "key", "fullchain", ...
  };
  std::vector<Target> targets_;
  InstallOwnership ownership_;
  std::vector<std::string> reload_argv_;
  const CommandRunner* commands_;
  CommandEnvironment reload_environment_;  // of the version install() wrote last
  std::string where_;
  // Certificates installed without their key ("fullchain" alone): the server would pair the
  // new certificate with whatever key it has, so every install warns.
  bool certificate_without_key_ = false;
};

}  // namespace xmppcert
