// Installing a version into an XMPP server's cert dir: each file written atomically (for
// ejabberd with an mtime that moves forward), what was there kept in memory so that
// rollback() puts it back, and with edit_config the server's config taught to load them.
#include <fcntl.h>
#include <sys/stat.h>

#include <map>
#include <sstream>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/reload_environment.h"
#include "engine/safe_open.h"
#include "plugins/servers/common/xmpp_server_plugin.h"

namespace xmppcert {
namespace {

constexpr const char* kTrustAnchorFile = "xmppcert-trust-anchor.pem";

std::string content_of(FileContent content, const StoredVersion& v) {
  switch (content) {
    case FileContent::key:
      return read_file(v.key_path());
    case FileContent::fullchain:
      return read_file(v.fullchain_path());
    case FileContent::combined:
      return read_file(v.key_path()) + read_file(v.fullchain_path());
    case FileContent::trust_anchor:
      break;
  }
  return "";
}

std::optional<std::time_t> mtime_of(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  return st.st_mtim.tv_sec;
}

// The lines of `after` that `before` lacks (each counted once per occurrence), in order.
std::vector<std::string> lines_added(const std::string& before, const std::string& after) {
  std::map<std::string, int> had;
  std::istringstream old_lines(before);
  for (std::string line; std::getline(old_lines, line);) ++had[line];
  std::vector<std::string> added;
  std::istringstream new_lines(after);
  for (std::string line; std::getline(new_lines, line);)
    if (had[line] > 0)
      --had[line];
    else
      added.push_back(line);
  return added;
}

// A rewritten file whose mtime second did not move is invisible to ejabberd's reload.
void ensure_newer_mtime(const fs::path& path, std::optional<std::time_t> before) {
  auto after = mtime_of(path);
  if (!before || !after || *after > *before) return;
  timespec times[2] = {{0, UTIME_OMIT}, {*before + 1, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    throw_operation_error("set modification time of", path.string(), errno_text(errno));
}

}  // namespace

std::vector<InstallFile> XmppServerPlugin::files_for(const StoredVersion& version) const {
  std::vector<InstallFile> files =
      kind_.layout(cert_dir_, version.dir.parent_path().filename().string());
  if (trust_anchor_ || trust_anchor_from_issuer_)
    files.push_back({cert_dir_ / kTrustAnchorFile, FileContent::trust_anchor});
  return files;
}

std::string XmppServerPlugin::content_for(const InstallFile& file,
                                          const StoredVersion& version) const {
  if (file.content != FileContent::trust_anchor) return content_of(file.content, version);
  if (trust_anchor_) return read_file(*trust_anchor_);
  std::error_code missing;
  if (!fs::exists(version.root_path(), missing))
    throw_operation_error("install trust anchor from", version.dir.string(),
                          "\"trust_anchor\": \"foundation\" needs the issuer's root, and this "
                          "version has none (an ACME issuer names it only with root_sha256)");
  return read_file(version.root_path());
}

// Atomic, and for ejabberd with an mtime that moved forward.
void XmppServerPlugin::write(const fs::path& path, const std::string& content,
                             const FileOwnership& ownership) const {
  auto before = kind_.needs_new_mtime ? mtime_of(path) : std::nullopt;
  write_file_atomically(path, content, ownership, Folder::untrusted, crash_points_);
  if (kind_.needs_new_mtime) ensure_newer_mtime(path, before);
}

std::vector<InstalledFile> XmppServerPlugin::installed_files(const StoredVersion& version) const {
  std::vector<InstalledFile> out;
  for (const auto& file : files_for(version))
    out.push_back({file.path.string(), content_for(file, version)});
  return out;
}

void XmppServerPlugin::install(const StoredVersion& version) {
  replaced_.clear();
  // The cert dir usually sits in a folder the daemon's user can write: a symlink there would
  // choose where root writes, and a symlink, FIFO or device in place of an installed file
  // would choose what root reads into the rollback copy.
  require_real_directory(cert_dir_, kind_.name + std::string(" cert dir"));
  create_directories(cert_dir_, 0755);
  require_real_directory(cert_dir_, kind_.name + std::string(" cert dir"));
  const std::vector<InstallFile> files = files_for(version);
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(file.path.string());
  environment_before_install_ = std::move(reload_environment_);
  reload_environment_ = reload_environment(version, paths);
  for (const auto& file : files) {
    Replaced previous{file.path, std::nullopt, {}};
    try {
      if (auto old = read_untrusted_file(file.path)) {
        previous.content = std::move(old->content);
        previous.ownership = {old->mode, old->owner, old->group};
      }
    } catch (const OperationError& e) {  // replaced by our file; a rollback removes it
      log_line(kind_.name, std::string("not kept for rollback: ") + e.what());
    }
    replaced_.push_back(previous);
    bool secret = file.content == FileContent::key || file.content == FileContent::combined;
    write(file.path, content_for(file, version), secret ? ownership_.key : ownership_.cert);
  }
  if (!edit_config_) return;
  if (missing_config(version).empty()) return;
  // What really changed, file by file (jabberd2's config is a folder): under an existing
  // `certfiles:` only the item was added.
  std::map<fs::path, std::string> before;
  for (const auto& file : server_config_files()) {
    std::error_code error;
    if (fs::is_regular_file(file, error)) before[file] = read_file(file);
  }
  kind_.add_to_config(config_, facts_, files);
  for (const auto& [file, text] : before)
    for (const auto& line : lines_added(text, read_file(file)))
      log_line(kind_.name, "added to " + file.string() + ": " + line);
  read_server_config();
}

bool XmppServerPlugin::rollback() {
  if (replaced_.empty()) return false;
  for (const auto& file : replaced_) {
    if (!file.content) {
      std::error_code ignored;
      fs::remove(file.path, ignored);
      continue;
    }
    write(file.path, *file.content, file.ownership);
  }
  replaced_.clear();
  // The files are what the install before this one wrote: so is what the reload is told.
  reload_environment_ = environment_before_install_;
  return true;
}

// Only what --edit-config added (the install settings say so): lines an admin wrote stay.
std::vector<std::string> XmppServerPlugin::remove_config_references(
    const std::vector<InstalledFile>& files) {
  if (!edit_config_ || !kind_.remove_from_config) return {};
  std::vector<fs::path> paths;
  for (const auto& file : files) paths.push_back(file.path);
  return kind_.remove_from_config(config_, paths);
}

std::vector<std::string> XmppServerPlugin::missing_config(const StoredVersion& version) const {
  return kind_.missing_config(facts_, files_for(version));
}

}  // namespace xmppcert
