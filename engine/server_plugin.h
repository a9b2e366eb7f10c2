// The server plugin interface: tell which domains the server serves, put a stored version
// where the daemon reads it, make the daemon load it, and say where to check that it is
// served. Implementations live in plugins/servers/<name>/, listed in plugins/registry.cc.
// install() must be atomic per file and keep owner and mode right.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/fs.h"
#include "engine/preflight.h"
#include "engine/starttls_probe.h"
#include "engine/store.h"

namespace xmppcert {

struct InstalledFile {
  std::string path;
  std::string content;  // what install() writes there for the version
};

struct ServedNames {
  std::vector<std::string> domains;     // hosts clients log in to
  std::vector<std::string> components;  // full names (conference.example.org)
  // Set when someone other than root could have written the config these names come from
  // (why, naming the file or folder): such names are not signed unless the install settings
  // say "discovered_names": "allow".
  std::string untrusted_source;
};

// A file install() would write, as the dry run shows it.
struct PlannedFile {
  std::string path;
  std::string holds;  // "key", "fullchain", "key+fullchain", "trust anchor", ...
  FileOwnership ownership;
};

class ServerPlugin {
 public:
  virtual ~ServerPlugin() = default;
  virtual std::string name() const = 0;
  // What the server's own config serves; empty when the plugin reads no server config.
  virtual ServedNames discover() const { return {}; }
  virtual void install(const StoredVersion& version) = 0;
  virtual void reload() = 0;
  // Puts back, byte for byte with owner and mode, what the last install() replaced; false
  // when the plugin keeps no such copy (the engine then installs the previous version).
  virtual bool rollback() { return false; }
  // The files install() writes for `version` and what they hold: xmppcertd watches them
  // and reinstalls when someone else deletes or replaces one.
  virtual std::vector<InstalledFile> installed_files(const StoredVersion&) const { return {}; }
  // The server's own config files (the main one and every file it includes), watched by
  // xmppcertd for new hosts; none by default.
  virtual std::vector<std::string> server_config_files() const { return {}; }
  // Folders the server's config includes by pattern (prosody's Include "conf.d/*.cfg.lua"):
  // a file added to or removed from one can add or drop hosts, so xmppcertd watches them whole.
  virtual std::vector<std::string> server_config_folders() const { return {}; }
  // Lines the admin must add to the server's config before it uses the installed files
  // (the engine prints them and skips verification); empty when the config already does.
  virtual std::vector<std::string> missing_config(const StoredVersion&) const { return {}; }
  // `delete --remove-files`: takes out of the server's config the references to `files`
  // (the installed files being removed) that --edit-config added, keeping a backup; returns
  // the lines taken out. A server that would not load its config without them needs this.
  virtual std::vector<std::string> remove_config_references(
      const std::vector<InstalledFile>& /*files*/) {
    return {};
  }
  // Where to check after reload() that the new certificate for `domain` is served; empty:
  // no check. verify_wait() bounds how long a reload may take to show.
  virtual std::vector<ProbeTarget> probe_targets(const std::string& /*domain*/) const { return {}; }
  virtual std::chrono::seconds verify_wait() const { return std::chrono::seconds(20); }

  // For the dry run: what install() would write for `version` (reading nothing from it),
  // the commands reload() would run (argv each; none: no reload), and the plugin's own live
  // checks (the server's config readable, ...).
  virtual std::vector<PlannedFile> planned_files(const StoredVersion&) const { return {}; }
  virtual std::vector<std::vector<std::string>> reload_commands() const { return {}; }
  virtual PreflightChecks preflight() const { return {}; }
  // Whether the server runs (its ports accept connections): checked before a certificate is
  // ordered, so that a stopped server costs no issuance (a public CA's rate limits), and in
  // the dry run. None by default (nothing to ask, or the reload starts it).
  virtual PreflightChecks running_checks() const { return {}; }
};

}  // namespace xmppcert
