// The real xmppcertd in a temporary folder, for the agent's integration tests: a config of
// `files` installs into <dir>/out, the agent's log in <dir>/agent.log, SIGKILL at teardown.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/fs.h"
#include "engine/store.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {

namespace fs = std::filesystem;
using std::chrono::seconds;

class AgentTest : public ::testing::Test {
 protected:
  void write_config(const std::vector<std::string>& names,
                    const std::vector<std::string>& reload = {},
                    const std::string& validity = "30s") {
    nlohmann::json certificates = nlohmann::json::object();
    for (const auto& name : names) {
      certificates[name] = {{"install",
                             {{"plugin", "files"},
                              {"key", (dir / "out" / (name + ".key")).string()},
                              {"fullchain", (dir / "out" / (name + ".crt")).string()}}}};
      if (!reload.empty()) certificates[name]["install"]["reload"] = reload;
    }
    nlohmann::json config = {{"defaults", {{"validity", validity}}},
                             {"include", {"conf.d/*.json"}},
                             {"certificates", certificates}};
    write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  }

  void start() {
    pid = ::fork();
    if (pid == 0) {
      FILE* log = std::fopen((dir / "agent.log").c_str(), "w");
      if (log) {
        ::dup2(fileno(log), 1);
        ::dup2(fileno(log), 2);
      }
      ::execl(XMPPCERTD_BINARY, "xmppcertd", "--config", (dir / "config.json").c_str(),
              "--state-dir", (dir / "state").c_str(), "--metrics-file",
              (dir / "metrics.prom").c_str(), nullptr);
      ::_exit(127);
    }
  }

  int current_version(const std::string& name) {
    auto record = StateDirStore(dir / "state").load(name);
    return record ? record->current_version : 0;
  }

  std::string log() { return read_file(dir / "agent.log"); }

  // SIGTERM, then the agent exits 0 within 10 s.
  bool stops_cleanly_on_sigterm() {
    if (::kill(pid, SIGTERM) != 0) return false;
    int status = 0;
    bool exited = eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, seconds(10));
    if (exited) pid = -1;
    return exited && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  void TearDown() override {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  TempDir dir;
  pid_t pid = -1;
};

}  // namespace xmppcert::testing
