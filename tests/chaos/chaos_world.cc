#include "tests/chaos/chaos_world.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {

namespace fs = std::filesystem;

ChaosWorld::ChaosWorld() {
  fs::permissions(conf_d_.path(), fs::perms(0755));
  write_text(conf_d_ / "00-base.cfg.lua", "-- snippets the chaos driver adds and removes\n");
  server_ = std::make_unique<ProsodyServer>(
      kServed, "Include \"" + (conf_d_ / "*.cfg.lua").string() + "\"\n");
  fs::create_directories(state());
  // A small disk of its own, so that the driver can fill it (needs CAP_SYS_ADMIN).
  tmpfs_ = ::mount("tmpfs", state().c_str(), "tmpfs", 0, "size=4m,mode=0755") == 0;
  fs::create_directories(dir_ / "out");
  nlohmann::json files = {{"plugin", "files"},
                          {"key", (dir_ / "out" / "other.test.key").string()},
                          {"fullchain", (dir_ / "out" / "other.test.crt").string()}};
  nlohmann::json config = {
      {"defaults", {{"validity", "2m"}}},
      {"certificates",
       {{kServed, {{"install", server_->install_settings()}}}, {kOther, {{"install", files}}}}}};
  write_file_atomically(dir_ / "config.json", config.dump(2), with_mode(0644));
}

ChaosWorld::~ChaosWorld() {
  kill_agent();
  free_disk();
  if (tmpfs_) ::umount2(state().c_str(), MNT_DETACH);
}

ProcessResult ChaosWorld::cli(std::vector<std::string> args) const {
  args.insert(args.end(), {"--config", (dir_ / "config.json").string(), "--state-dir",
                           state().string(), "--lock-wait", "120s"});
  return run_xmppcert(args);
}

pid_t ChaosWorld::cli_started(std::vector<std::string> args) const {
  args.insert(args.begin(), XMPPCERT_BINARY);
  args.insert(args.end(), {"--config", (dir_ / "config.json").string(), "--state-dir",
                           state().string(), "--lock-wait", "120s"});
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

void ChaosWorld::start_agent() {
  agent_ = ::fork();
  if (agent_ == 0) {
    int log = ::open((dir_ / "agent.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execl(XMPPCERTD_BINARY, "xmppcertd", "--config", (dir_ / "config.json").c_str(),
            "--state-dir", state().c_str(), nullptr);
    ::_exit(127);
  }
}

void ChaosWorld::kill_agent() {
  if (agent_ <= 0) return;
  ::kill(agent_, SIGKILL);
  ::waitpid(agent_, nullptr, 0);
  agent_ = -1;
}

bool ChaosWorld::agent_alive() { return agent_ > 0 && ::waitpid(agent_, nullptr, WNOHANG) == 0; }

void ChaosWorld::write_snippet(const std::string& file, const std::string& text) {
  write_text(conf_d_ / file, text);  // as an admin's editor would: in place
}

void ChaosWorld::remove_snippet(const std::string& file) { fs::remove(conf_d_ / file); }

std::vector<std::string> ChaosWorld::snippets() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(conf_d_.path()))
    if (entry.path().filename() != "00-base.cfg.lua")
      names.push_back(entry.path().filename().string());
  return names;
}

std::vector<fs::path> ChaosWorld::installed_files() const {
  return {server_->dir() / "certs" / "example.test.key",
          server_->dir() / "certs" / "example.test.crt", dir_ / "out" / "other.test.key",
          dir_ / "out" / "other.test.crt"};
}

void ChaosWorld::fill_disk() {
  if (!tmpfs_) return;
  int fd = ::open((state() / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return;
  std::string block(65536, 'x');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  ::close(fd);
}

void ChaosWorld::free_disk() {
  std::error_code ec;
  fs::remove(state() / "filler", ec);
}

std::string ChaosWorld::agent_log() const {
  std::error_code ec;
  if (!fs::exists(dir_ / "agent.log", ec)) return "";
  return read_file(dir_ / "agent.log");
}

}  // namespace xmppcert::testing
