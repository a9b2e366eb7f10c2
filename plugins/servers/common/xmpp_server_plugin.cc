#include "plugins/servers/common/xmpp_server_plugin.h"

#include <algorithm>
#include <thread>

#include "engine/clock.h"
#include "engine/command_runner.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "engine/trusted_file.h"
#include "plugins/servers/common/pidfile_restart.h"
#include "plugins/servers/common/signal_ready.h"

namespace xmppcert {
namespace {

int parse_port(const nlohmann::json& value, const std::string& where) {
  if (!value.is_number_integer() || value.get<int>() <= 0 || value.get<int>() > 65535)
    throw UsageError(where + ": expected a port number (1-65535)");
  return value.get<int>();
}

std::string loopback_for(const std::string& host) {
  if (host.empty() || host == "0.0.0.0" || host == "*") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

// prosody with a few hundred hosts takes seconds to activate them before it handles SIGHUP.
constexpr std::chrono::seconds kSignalHandlerWait{30};

}  // namespace

void XmppServerPlugin::read_server_config() {
  facts_ = kind_.read_config(config_);
}

XmppServerPlugin::XmppServerPlugin(const ServerKind& kind, const nlohmann::json& settings,
                                   const std::string& where, CrashPoints crash_points,
                                   const CommandRunner& commands)
    : kind_(kind), crash_points_(std::move(crash_points)), commands_(&commands) {
  JsonFields fields(settings, where);
  fields.allow_only({"config", "cert_dir", "owner", "group", "key_mode", "cert_mode", "reload",
                     "restart", "verify", "trust_anchor", "edit_config", "discovered_names"});
  config_ = parse_absolute_path(fields, "config").value_or(kind.default_config);
  read_server_config();
  cert_dir_ =
      parse_absolute_path(fields, "cert_dir").value_or(kind.default_cert_dir(config_, facts_));
  ownership_ = parse_ownership(fields, std::string(kind.default_group));
  reload_argv_ = parse_argv(fields, "reload").value_or(kind.default_reload(config_));
  if (fields.string("trust_anchor") == "foundation")
    trust_anchor_from_issuer_ = true;
  else
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
      commands_->run_checked(reload_argv_, std::string("reload ") + kind_.name, "",
                             reload_environment_);
    } catch (const OperationError& e) {
      throw OperationError(std::string(e.what()) + "; " + hint);
    }
    bool new_files = std::any_of(replaced_.begin(), replaced_.end(),
                                 [](const Replaced& file) { return !file.content; });
    if (new_files && kind_.new_files_need_second_reload) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      commands_->run_checked(reload_argv_, std::string("reload ") + kind_.name + " (new files)", "",
                             reload_environment_);
    }
    return;
  }
  for (const auto& [process, argv] : restart_) {
    log_line(kind_.name, "restarting " + process);
    restart_from_pidfile(facts_.pidfiles.at(process), argv);
  }
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
