#include "agent/reinstall.h"

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/safe_open.h"
#include "engine/state_lock.h"

namespace xmppcert {
namespace {

namespace fs = std::filesystem;

// The first installed file of `version` that differs from what `version` puts there, with
// how it differs; nullopt when they all still hold it.
std::optional<std::string> first_changed(const ServerPlugin& plugin, const StoredVersion& version) {
  // The daemon's user may own the folder: read without following links, regular files only,
  // size-capped (a symlink to /dev/zero or a FIFO there must not stall or feed root).
  for (const auto& file : plugin.installed_files(version)) {
    std::optional<UntrustedFile> found;
    try {
      found = read_untrusted_file(file.path, file.content.size() + 1);
    } catch (const OperationError& e) {
      return file.path + " was replaced (" + e.what() + ")";
    }
    if (!found) return file.path + " was deleted";
    if (found->content != file.content) return file.path + " was replaced";
  }
  return std::nullopt;
}

// write_file_atomically's ".<name>.tmp-XXXXXX" and the store's ".v<N>.tmp-<pid>" staging
// folders. Only called under the lock, when no other run of ours can be writing them.
bool is_temporary_of(const fs::path& entry, const std::string& target) {
  std::string name = entry.filename().string();
  if (target.empty())
    return name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos;
  return name.rfind("." + target + ".tmp-", 0) == 0;
}

bool contains_temporary(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (is_temporary_of(entry.path(), "")) return true;
  return false;
}

void remove_temporaries(const fs::path& dir, const std::string& target, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!is_temporary_of(entry.path(), target)) continue;
    std::error_code removed;
    fs::remove_all(entry.path(), removed);
    if (!removed) log_line(name, "removed " + entry.path().string() + ", left by a killed run");
  }
}

// A stored plan whose server config could not be read at planning has no plugin: say why.
ServerPlugin& server_of(const PlannedCertificate& plan) {
  if (!plan.server)
    throw OperationError(plan.where + ".install: no server plugin (its config was not read)");
  return *plan.server;
}

}  // namespace

std::set<fs::path> paths_to_watch(const ReinstallContext& context, const PlannedCertificate& plan) {
  const CertificateRequest& request = plan.request;
  std::set<fs::path> paths = {
      (context.store.certificate_dir(request.name) / "record.json").lexically_normal()};
  if (!request.install) return paths;
  try {
    std::optional<CertificateRecord> record = context.store.load(request.name);
    if (!record || record->current_version == 0) return paths;
    // Installed paths do not depend on the version.
    for (const auto& file : server_of(plan).installed_files(
             context.store.version(request.name, record->current_version)))
      paths.insert(fs::path(file.path).lexically_normal());
  } catch (const std::exception& e) {
    log_line(request.name, std::string("installed files not watched: ") + e.what());
  }
  return paths;
}

void reinstall_if_changed(const ReinstallContext& context, const PlannedCertificate& plan) {
  const CertificateRequest& request = plan.request;
  // Nothing installed and nothing left half-written: no lock, no record read (an agent
  // starting with 10,000 certificates passes them all here).
  if (!request.install && !contains_temporary(context.store.certificate_dir(request.name))) return;
  try {
    StateLock lock(context.state_dir, context.lock_wait);
    remove_temporaries(context.store.certificate_dir(request.name), "", request.name);
    std::optional<CertificateRecord> record = context.store.load(request.name);
    if (!request.install || !record || record->current_version == 0) return;
    ServerPlugin* plugin = &server_of(plan);
    StoredVersion version = context.store.version(request.name, record->current_version);
    for (const auto& file : plugin->installed_files(version)) {
      fs::path path(file.path);
      remove_temporaries(path.parent_path(), path.filename().string(), request.name);
    }
    std::optional<std::string> what = first_changed(*plugin, version);
    if (!what) return;
    log_line(request.name,
             *what + " by someone else; reinstalling v" + std::to_string(version.number));
    plugin->install(version);
    plugin->reload();
  } catch (const std::exception& e) {
    log_line(request.name, std::string("reinstall failed: ") + e.what());
  }
}

}  // namespace xmppcert
