// What differs between XMPP servers, as data: how to read the server's config, where the
// files go, what to tell the admin when the config does not use them, how to reload. Each
// plugins/servers/<name>/ folder defines one ServerKind; XmppServerPlugin does the rest.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/server_plugin.h"

namespace xmppcert {

namespace fs = std::filesystem;

struct Endpoint {
  std::string host;  // as configured; 0.0.0.0 and :: are probed on loopback
  int port = 0;
};

// What a server's config says, as far as certificates are concerned.
struct ServerFacts {
  ServedNames names;
  std::optional<Endpoint> c2s;
  std::optional<Endpoint> s2s;
  fs::path cert_dir;  // where the server itself looks for certificates, if it has such a place
  std::vector<fs::path> loaded_files;  // certificate/key files (or cert dirs) the config loads
  std::map<std::string, fs::path> host_files;  // host -> the file the config loads for it only
  std::vector<fs::path> ca_files;              // s2s trust anchors the config loads
  std::map<std::string, fs::path> pidfiles;    // process name -> pid file (jabberd2: c2s, s2s)
  // What xmppcertd watches for new hosts: every file the reader read (the main config and
  // its includes), and the folders include globs name (a snippet added there counts too).
  std::vector<fs::path> config_files;
  std::vector<fs::path> include_folders;
};

enum class FileContent { key, fullchain, combined, trust_anchor };

struct InstallFile {
  fs::path path;
  FileContent content;
};

struct ServerKind {
  const char* name;
  const char* default_config;  // the Debian package's path
  const char* default_group;   // the daemon's group, when it exists
  // Throws UsageError naming the file (and line) on anything it cannot read.
  ServerFacts (*read_config)(const fs::path& config);
  fs::path (*default_cert_dir)(const fs::path& config, const ServerFacts& facts);
  // The files for certificate `name` in `cert_dir`, without the trust anchor.
  std::vector<InstallFile> (*layout)(const fs::path& cert_dir, const std::string& name);
  // Config lines to add so that the server loads `files`; empty when it already does.
  std::vector<std::string> (*missing_config)(const ServerFacts& facts,
                                             const std::vector<InstallFile>& files);
  std::vector<std::string> (*default_reload)(const fs::path& config);
  // --edit-config: adds what missing_config names to the server's config files, each
  // through replace_config_with_backup.
  void (*add_to_config)(const fs::path& config, const ServerFacts& facts,
                        const std::vector<InstallFile>& files);
  // delete --remove-files: takes the lines naming `paths` out of the config (a backup kept),
  // returning them; nullptr when the server's config tolerates a missing file.
  std::vector<std::string> (*remove_from_config)(const fs::path& config,
                                                 const std::vector<fs::path>& paths) = nullptr;
  // ejabberd re-reads a certificate only if its mtime changed, to the second.
  bool needs_new_mtime = false;
  // prosody picks up replaced contents on one reload, new file names only on a second.
  bool new_files_need_second_reload = false;
  // The signal its reload sends (prosody: SIGHUP). Before reloading, xmppcert waits until the
  // process in pidfiles[name] catches it: before that, the signal stops the server
  // (signal_ready.h).
  int reload_signal = 0;
};

// Adds a served name once; empty names (an element without text) are skipped.
void add_served_name(std::vector<std::string>& names, const std::string& name);

// The layouts and folders several servers share: one <name>.pem holding key + full chain,
// in an "xmppcert" folder beside the config file (or inside a config folder: jabberd2).
std::vector<InstallFile> combined_pem_layout(const fs::path& dir, const std::string& name);
fs::path xmppcert_dir_beside_config(const fs::path& config_file, const ServerFacts& facts);
fs::path xmppcert_dir_in_config_dir(const fs::path& config_dir, const ServerFacts& facts);

// True when `facts.loaded_files` names `path` itself or its directory.
bool config_loads(const ServerFacts& facts, const fs::path& path);
bool config_trusts(const ServerFacts& facts, const fs::path& path);

}  // namespace xmppcert
