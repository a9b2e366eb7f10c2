// What xmppcertd reads and watches: the config (or, without one, the store), the servers'
// configs and what they include, each certificate's record and installed files; and what it
// does when inotify says one of them changed.
#include <algorithm>
#include <thread>

#include "agent/agent.h"
#include "engine/schedule.h"
#include "engine/config.h"
#include "engine/log.h"
#include "renewal/planning.h"
#include "plugins/registry.h"

namespace xmppcert {

// Everything is read and checked first; the running state changes only when all of it is
// good, so a bad edit leaves the previous config in force and still watched. Every stored
// certificate is managed, as `xmppcert renew` does: a config entry overrides the stored
// request of its name, and the others keep theirs (what `enroll` stored).
void Agent::load() {
  std::vector<CertificateRequest> requests;
  std::set<std::string> configured;
  std::set<std::filesystem::path> config_files;
  std::set<std::filesystem::path> snippet_dirs;
  if (options_.config) {
    Config config = load_config(*options_.config);
    requests = config.certificates;
    for (const auto& file : config.files) config_files.insert(std::filesystem::absolute(file));
    // A snippet added later to an included folder must be seen too: watch the folders.
    for (const auto& pattern : config.include) {
      std::filesystem::path full = pattern;
      if (full.is_relative()) full = options_.config->parent_path() / full;
      snippet_dirs.insert(std::filesystem::absolute(full.parent_path()).lexically_normal());
    }
    for (const auto& request : requests) configured.insert(request.name);
    for (auto& request : requests) {
      std::string at = options_.config->string() + ": certificates.\"" + request.name + "\"";
      add_discovered_names(request, at);
      validate_plugins(request, at);
    }
  }
  // Records the engine wrote are trusted as they are (as `status` does): no re-validation.
  // Names the server's config gained since are added (a host in a new conf.d snippet); a
  // server config that cannot be read leaves the stored names.
  for (const auto& record : store_.load_all()) {
    if (configured.count(record.name)) continue;
    CertificateRequest request = record.request;
    try {
      add_discovered_names(request, "record of " + record.name);
    } catch (const std::exception& e) {
      log_line(record.name, std::string("server config not read: ") + e.what());
      request = record.request;
    }
    requests.push_back(request);
  }
  // A certificate whose request changed is tried at once (the admin may have fixed what
  // failed); the others keep their backoff: a reload loses no one's schedule.
  for (const auto& before : requests_)
    if (std::find(requests.begin(), requests.end(), before) == requests.end()) {
      backoff_until_.erase(before.name);
      failures_.erase(before.name);
    }
  requests_ = std::move(requests);
  configured_ = std::move(configured);
  config_files_ = std::move(config_files);
  snippet_dirs_ = std::move(snippet_dirs);
  std::time_t now = std::time(nullptr);
  next_.clear();
  for (const auto& request : requests_) schedule(request, now);
  poll_new_certificates(now);
  refresh_watches();
}

// Our config, the servers' configs (with what they include), and per certificate its record
// and the files its current version installs.
void Agent::refresh_watches() {
  std::set<std::filesystem::path> watched;
  std::set<std::filesystem::path> configs = config_files_;
  server_folders_.clear();
  for (const auto& request : requests_) {
    if (!request.install) continue;
    auto plugin = make_server_plugin(*request.install, where(request.name) + ".install");
    for (const auto& file : plugin->server_config_files()) configs.insert(file);
    for (const auto& folder : plugin->server_config_folders())
      server_folders_.insert(std::filesystem::path(folder).lexically_normal());
  }
  watched_by_name_.clear();
  for (const auto& request : requests_) {
    std::set<std::filesystem::path> paths = paths_to_watch(reinstall_context(request), request);
    watched.insert(paths.begin(), paths.end());
    watched_by_name_[request.name] = std::move(paths);
  }
  // Records of certificates being enrolled with the CLI (folders without one we manage).
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(store_.certificates_dir(), error))
    if (entry.is_directory(error) && !manages(entry.path().filename().string()))
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

bool Agent::manages(const std::string& name) const {
  return std::any_of(requests_.begin(), requests_.end(),
                     [&](const auto& request) { return request.name == name; });
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
      if (recorded != manages(path.filename().string()))
        store_changed = true;
      else if (!recorded && std::filesystem::is_directory(path, error))
        new_folder = true;  // an enrollment under way: watch for its record
    } else if (path.filename() == "record.json" && path.parent_path().parent_path() == state &&
               !manages(path.parent_path().filename().string())) {
      store_changed = true;
    }
  }
  if (config_changed)
    reload("config changed");
  else if (store_changed)
    reload("a certificate was enrolled or deleted in " + state_dir_.string());
  else if (new_folder)
    refresh_watches();
  for (const auto& request : requests_) {
    const auto& paths = watched_by_name_[request.name];
    if (std::none_of(paths.begin(), paths.end(), [&](const auto& path) {
          return changed.count(path) > 0 || changed.count(path.parent_path()) > 0;
        }))
      continue;
    reinstall_if_changed(reinstall_context(request), request);
    schedule(request, std::time(nullptr));  // the CLI may have renewed it
  }
}

}  // namespace xmppcert
