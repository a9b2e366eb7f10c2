// Issue 12 #6: the pid in a daemon-owned pid file got SIGTERM/SIGKILL from root, whatever
// process it named.
#include "plugins/servers/common/pidfile_restart.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "engine/errors.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

// Runs /bin/sleep 60: a process of another program, to be named in a pid file.
pid_t start_sleep_program() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Until exec, the child is still this test binary: wait for /proc/PID/exe to be sleep.
  eventually(
      [&] {
        std::error_code ec;
        auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
        return !ec && exe.filename() == "sleep";
      },
      std::chrono::seconds(2), std::chrono::milliseconds(10));
  return pid;
}

bool alive(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == 0; }

TEST(PidfileRestart, APidOfAnotherProgramIsNotSignalled) {
  TempDir dir;
  pid_t victim = start_sleep_program();
  write_text(dir / "c2s.pid", std::to_string(victim) + "\n");
  EXPECT_THROW(restart_from_pidfile(dir / "c2s.pid", {"/bin/true"}), OperationError);
  EXPECT_TRUE(alive(victim)) << "an unrelated process must survive";
  ::kill(victim, SIGKILL);
  ::waitpid(victim, nullptr, 0);
}

TEST(PidfileRestart, ThePidOfTheRestartedProgramIsStopped) {
  TempDir dir;
  pid_t daemon = start_sleep_program();
  write_text(dir / "c2s.pid", std::to_string(daemon) + "\n");
  restart_from_pidfile(dir / "c2s.pid", {"/usr/bin/sleep", "0"});
  int status = 0;
  ASSERT_EQ(::waitpid(daemon, &status, 0), daemon);
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST(PidfileRestart, AFifoOrGarbageInThePidFileSignalsNothing) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo.pid").c_str(), 0600), 0);
  EXPECT_THROW(restart_from_pidfile(dir / "fifo.pid", {"/bin/true"}), OperationError);
  write_text(dir / "bad.pid", "-1\n");
  EXPECT_NO_THROW(restart_from_pidfile(dir / "bad.pid", {"/bin/true"}));
}

}  // namespace
}  // namespace xmppcert::testing
