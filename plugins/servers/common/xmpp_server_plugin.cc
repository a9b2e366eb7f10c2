#include "plugins/servers/common/xmpp_server_plugin.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "engine/process.h"
#include "engine/reload_environment.h"
#include "engine/safe_open.h"
#include "engine/trusted_file.h"
#include "plugins/servers/common/pidfile_restart.h"
#include "plugins/servers/common/signal_ready.h"

namespace xmppcert {
namespace {

constexpr const char* kTrustAnchorFile = "xmppcert-trust-anchor.pem";

int parse_port(const nlohmann::json& value, const std::string& where) {
  if (!value.is_number_integer() || value.get<int>() <= 0 || value.get<int>() > 65535)
    throw UsageError(where + ": expected a port number (1-65535)");
  return value.get<int>();
}

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

// A rewritten file whose mtime second did not move is invisible to ejabberd's reload.
void ensure_newer_mtime(const fs::path& path, std::optional<std::time_t> before) {
  auto after = mtime_of(path);
  if (!before || !after || *after > *before) return;
  timespec times[2] = {{0, UTIME_OMIT}, {*before + 1, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    throw_operation_error("set modification time of", path.string(), errno_text(errno));
}

std::string loopback_for(const std::string& host) {
  if (host.empty() || host == "0.0.0.0" || host == "*") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

std::atomic<long> config_parses{0};

// prosody with a few hundred hosts takes seconds to activate them before it handles SIGHUP.
constexpr std::chrono::seconds kSignalHandlerWait{30};

}  // namespace

long server_config_parses() { return config_parses.load(); }

XmppServerPlugin::XmppServerPlugin(const ServerKind& kind, const nlohmann::json& settings,
                                   const std::string& where)
    : kind_(kind) {
  JsonFields fields(settings, where);
  fields.allow_only({"config", "cert_dir", "owner", "group", "key_mode", "cert_mode", "reload",
                     "restart", "verify", "trust_anchor", "edit_config", "discovered_names"});
  config_ = parse_absolute_path(fields, "config").value_or(kind.default_config);
  facts_ = kind.read_config(config_);
  ++config_parses;
  cert_dir_ =
      parse_absolute_path(fields, "cert_dir").value_or(kind.default_cert_dir(config_, facts_));
  ownership_ = parse_ownership(fields, std::string(kind.default_group));
  reload_argv_ = parse_argv(fields, "reload").value_or(kind.default_reload(config_));
  trust_anchor_ = parse_absolute_path(fields, "trust_anchor");
  edit_config_ = fields.boolean("edit_config").value_or(false);
  if (auto names = fields.string("discovered_names")) {
    if (*names != "allow" && *names != "refuse")
      throw UsageError(fields.path_of("discovered_names") + ": expected \"allow\" or \"refuse\"");
    allow_discovered_names_ = *names == "allow";
  }

  if (const nlohmann::json* restart = fields.object("restart")) {
    JsonFields processes(*restart, fields.path_of("restart"));
    for (const auto& [process, argv] : restart->items()) {
      if (!facts_.pidfiles.count(process))
        throw UsageError(processes.path_of(process) + ": " + config_.string() +
                         " names no pid file for \"" + process + "\"");
      restart_[process] = *parse_argv(processes, process.c_str());
    }
  }

  auto verify = settings.find("verify");
  if (verify != settings.end()) {
    if (verify->is_boolean()) {
      verify_ = verify->get<bool>();
    } else {
      JsonFields v(*verify, fields.path_of("verify"));
      v.allow_only({"host", "c2s_port", "s2s_port", "wait"});
      verify_host_ = v.string("host");
      if (verify->contains("c2s_port"))
        c2s_port_ = parse_port((*verify)["c2s_port"], v.path_of("c2s_port"));
      if (verify->contains("s2s_port"))
        s2s_port_ = parse_port((*verify)["s2s_port"], v.path_of("s2s_port"));
      v.with_context("wait", [&] {
        if (auto wait = v.string("wait")) verify_wait_ = parse_duration(*wait);
      });
    }
  }
}

std::vector<InstallFile> XmppServerPlugin::files_for(const StoredVersion& version) const {
  std::vector<InstallFile> files =
      kind_.layout(cert_dir_, version.dir.parent_path().filename().string());
  if (trust_anchor_) files.push_back({cert_dir_ / kTrustAnchorFile, FileContent::trust_anchor});
  return files;
}

std::string XmppServerPlugin::content_for(const InstallFile& file,
                                          const StoredVersion& version) const {
  return file.content == FileContent::trust_anchor ? read_file(*trust_anchor_)
                                                   : content_of(file.content, version);
}

// Atomic, and for ejabberd with an mtime that moved forward.
void XmppServerPlugin::write(const fs::path& path, const std::string& content,
                             const FileOwnership& ownership) const {
  auto before = kind_.needs_new_mtime ? mtime_of(path) : std::nullopt;
  write_file_atomically(path, content, ownership, Folder::untrusted);
  if (kind_.needs_new_mtime) ensure_newer_mtime(path, before);
}

std::vector<InstalledFile> XmppServerPlugin::installed_files(const StoredVersion& version) const {
  std::vector<InstalledFile> out;
  for (const auto& file : files_for(version))
    out.push_back({file.path.string(), content_for(file, version)});
  return out;
}

ServedNames XmppServerPlugin::discover() const {
  ServedNames names = facts_.names;
  if (allow_discovered_names_) return names;
  for (const auto& file : server_config_files())
    if (std::string writer = untrusted_writer(file); !writer.empty()) {
      names.untrusted_source = writer;
      break;
    }
  return names;
}

std::vector<std::string> XmppServerPlugin::server_config_files() const {
  std::vector<std::string> files;
  if (!fs::is_directory(config_))
    files.push_back(config_.string());
  else  // jabberd2: the folder's XML files
    for (const char* name : {"c2s.xml", "s2s.xml", "sm.xml"}) files.push_back(config_ / name);
  for (const auto& file : facts_.config_files)  // and what they include
    if (std::find(files.begin(), files.end(), file.string()) == files.end())
      files.push_back(file.string());
  return files;
}

std::vector<std::string> XmppServerPlugin::server_config_folders() const {
  std::vector<std::string> folders;
  for (const auto& folder : facts_.include_folders) folders.push_back(folder.string());
  return folders;
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
  std::vector<std::string> lines = missing_config(version);
  if (!lines.empty()) {
    kind_.add_to_config(config_, facts_, files);
    for (const auto& line : lines)
      log_line(kind_.name, "added to " + config_.string() + ": " + line);
    facts_ = kind_.read_config(config_);
    ++config_parses;
  }
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

void XmppServerPlugin::reload() {
  if (restart_.empty()) {
    // A stopped daemon is the usual cause of a first install's failed reload.
    const std::string hint = std::string("is ") + kind_.name +
                             " running? xmppcert reloads a running server and does not start "
                             "one: start it, then run xmppcert again";
    if (auto pidfile = facts_.pidfiles.find(kind_.name);
        kind_.reload_signal != 0 && pidfile != facts_.pidfiles.end() &&
        !wait_until_signal_caught(pidfile->second, kind_.reload_signal, kind_.name,
                                  kSignalHandlerWait))
      throw_operation_error("reload " + std::string(kind_.name), pidfile->second.string(),
                            "this pid file names no running process; " + hint);
    try {
      run_command_checked(reload_argv_, std::string("reload ") + kind_.name, "",
                          reload_environment_);
    } catch (const OperationError& e) {
      throw OperationError(std::string(e.what()) + "; " + hint);
    }
    bool new_files = std::any_of(replaced_.begin(), replaced_.end(),
                                 [](const Replaced& file) { return !file.content; });
    if (new_files && kind_.new_files_need_second_reload) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      run_command_checked(reload_argv_, std::string("reload ") + kind_.name + " (new files)", "",
                          reload_environment_);
    }
    return;
  }
  for (const auto& [process, argv] : restart_) {
    log_line(kind_.name, "restarting " + process);
    restart_from_pidfile(facts_.pidfiles.at(process), argv);
  }
}

std::vector<std::string> XmppServerPlugin::missing_config(const StoredVersion& version) const {
  return kind_.missing_config(facts_, files_for(version));
}

std::vector<ProbeTarget> XmppServerPlugin::probe_targets(const std::string& domain) const {
  if (!verify_) return {};
  std::vector<ProbeTarget> targets;
  // A port the server's config does not show (jabberd 1.4) is probed only when configured.
  auto add = [&](const std::optional<Endpoint>& configured, std::optional<int> port, bool s2s) {
    if (!configured && !port) return;
    std::string host = verify_host_.value_or(configured ? configured->host : "");
    targets.push_back({loopback_for(host), port ? *port : configured->port, domain, s2s});
  };
  add(facts_.c2s, c2s_port_, false);
  add(facts_.s2s, s2s_port_, true);
  return targets;
}

}  // namespace xmppcert
