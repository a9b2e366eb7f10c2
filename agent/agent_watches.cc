// What xmppcertd reads and watches: the config (or, without one, the store), the servers'
// configs and what they include, each certificate's record and installed files; and what it
// does when inotify says one of them changed.
#include <algorithm>
#include <thread>

#include "agent/agent.h"
#include "engine/schedule.h"
#include "engine/log.h"

namespace xmppcert {

// Everything is read and checked first; the running state changes only when all of it is
// good, so a bad edit leaves the previous config in force and still watched.
void Agent::load() {
  ManagedCertificates managed =
      plan_managed_certificates(options_.config, store_, state_dir_, options_.make_server);
  // A certificate whose request changed is tried at once (the admin may have fixed what
  // failed); the others keep their backoff: a reload loses no one's schedule.
  keep_schedules(managed.certificates, certificates_);
  certificates_ = std::move(managed.certificates);
  config_files_ = std::move(managed.config_files);
  snippet_dirs_ = std::move(managed.snippet_dirs);
  std::time_t now = std::time(nullptr);
  for (auto& certificate : certificates_) {
    schedule(certificate, now);
    // Renewal Information is asked at start for every certificate, then as the issuer says.
    if (!certificate.next_poll) certificate.next_poll = now;
  }
  refresh_watches();
}

// Our config, the servers' configs (with what they include), and per certificate its record
// and the files its current version installs.
void Agent::refresh_watches() {
  std::set<std::filesystem::path> watched;
  std::set<std::filesystem::path> configs = config_files_;
  server_folders_.clear();
  std::set<const ServerPlugin*> servers;  // each shared plugin once
  for (const auto& certificate : certificates_) {
    const ServerPlugin* plugin = certificate.plan.server.get();
    if (!plugin || !servers.insert(plugin).second) continue;
    for (const auto& file : plugin->server_config_files()) configs.insert(file);
    for (const auto& folder : plugin->server_config_folders())
      server_folders_.insert(std::filesystem::path(folder).lexically_normal());
  }
  for (auto& certificate : certificates_) {
    certificate.watched = paths_to_watch(reinstall_context(), certificate.plan);
    watched.insert(certificate.watched.begin(), certificate.watched.end());
  }
  // Records of certificates being enrolled with the CLI (folders without one we manage).
  std::set<std::string> managed;
  for (const auto& certificate : certificates_) managed.insert(certificate.name());
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(store_.certificates_dir(), error))
    if (entry.is_directory(error) && !managed.count(entry.path().filename().string()))
      watched.insert((entry.path() / "record.json").lexically_normal());
  // Debian's prosody: conf.d/X.cfg.lua is a symlink to ../conf.avail/X.cfg.lua, and an edit
  // of the target changes nothing in conf.d: what a link points to is watched too. A link
  // re-pointed is a change in conf.d, which reloads and so watches the new target.
  for (const auto& path : std::set<std::filesystem::path>(configs))
    if (std::filesystem::is_symlink(path, error))
      if (auto target = std::filesystem::canonical(path, error); !error) configs.insert(target);
  config_files_.clear();
  for (const auto& path : configs) config_files_.insert(path.lexically_normal());
  watched.insert(config_files_.begin(), config_files_.end());
  std::set<std::filesystem::path> folders = snippet_dirs_;
  folders.insert(server_folders_.begin(), server_folders_.end());
  // `xmppcert enroll` or `delete` while we run.
  folders.insert(store_.certificates_dir().lexically_normal());
  watcher_.watch_files(watched, folders);
}

// A burst of changes: our config or a server's reloads everything; a record or an installed
// file that changed is checked against the store (and put back if it differs).
void Agent::on_files_changed() {
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let a burst settle
  std::set<std::filesystem::path> changed = watcher_.changed();
  auto in = [&](const std::set<std::filesystem::path>& folders, const auto& path) {
    return folders.count(path.parent_path()) > 0 ||
           folders.count(path) > 0;  // the included folder itself appeared
  };
  bool config_changed = std::any_of(changed.begin(), changed.end(), [&](const auto& path) {
    return config_files_.count(path) > 0 || in(snippet_dirs_, path) || in(server_folders_, path);
  });
  // A certificate enrolled or deleted with the CLI: its record in the state dir came or went.
  const std::filesystem::path state = store_.certificates_dir().lexically_normal();
  bool store_changed = false;
  bool new_folder = changed.count(state) > 0;  // the first enrollment makes <state>/certs
  for (const auto& path : changed) {
    std::error_code error;
    if (path.parent_path() == state) {
      bool recorded = std::filesystem::exists(path / "record.json", error);
      if (recorded != (find(path.filename().string()) != nullptr))
        store_changed = true;
      else if (!recorded && std::filesystem::is_directory(path, error))
        new_folder = true;  // an enrollment under way: watch for its record
    } else if (path.filename() == "record.json" && path.parent_path().parent_path() == state &&
               !find(path.parent_path().filename().string())) {
      store_changed = true;
    }
  }
  if (config_changed)
    reload("config changed");
  else if (store_changed)
    reload("a certificate was enrolled or deleted in " + state_dir_.string());
  else if (new_folder)
    refresh_watches();
  for (auto& certificate : certificates_) {
    const auto& paths = certificate.watched;
    if (std::none_of(paths.begin(), paths.end(), [&](const auto& path) {
          return changed.count(path) > 0 || changed.count(path.parent_path()) > 0;
        }))
      continue;
    reinstall_if_changed(reinstall_context(), certificate.plan);
    schedule(certificate, std::time(nullptr));  // the CLI may have renewed it
  }
}

}  // namespace xmppcert
