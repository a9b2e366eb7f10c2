// prosody run in the foreground sets its SIGHUP handler only after activating every host; a
// reload in between stopped it (seen as "prosody died by itself" in the chaos run).
#include "plugins/servers/common/signal_ready.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "engine/errors.h"
#include "plugins/servers/prosody/prosody_config.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

void ignore(int) {}

int handled_pipe = -1;  // in the child: where its SIGHUP handler reports each signal
void report_handled(int) {
  char handled = 'h';
  [[maybe_unused]] ssize_t written = ::write(handled_pipe, &handled, 1);
}

// A child that handles SIGHUP only after `delay_ms`, as prosody does once it has started,
// writing a byte to `report_fd` (when given) for each SIGHUP it handles.
pid_t start_late_handler(int delay_ms, int report_fd = -1) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (delay_ms >= 0) {
      // A server that starts slowly (the point of the test).
      ::usleep(static_cast<useconds_t>(delay_ms) * 1000);
      handled_pipe = report_fd;
      ::signal(SIGHUP, report_fd >= 0 ? report_handled : ignore);
    }
    for (;;) ::pause();
  }
  return pid;
}

void stop(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST(SignalReady, TheHandlersOfAProcessAreReadFromProc) {
  pid_t late = start_late_handler(-1);
  EXPECT_EQ(catches_signal(late, SIGHUP), false);
  stop(late);
  EXPECT_EQ(catches_signal(late, SIGHUP), std::nullopt);
  struct sigaction previous {};
  struct sigaction handler {};
  handler.sa_handler = ignore;
  ::sigaction(SIGUSR2, &handler, &previous);
  EXPECT_EQ(catches_signal(::getpid(), SIGUSR2), true);
  ::sigaction(SIGUSR2, &previous, nullptr);
}

TEST(SignalReady, AReloadWaitsUntilTheStartingServerHandlesItsSignal) {
  TempDir dir;
  int handled[2];
  ASSERT_EQ(::pipe(handled), 0);
  pid_t server = start_late_handler(700, handled[1]);
  write_text(dir / "prosody.pid", std::to_string(server) + "\n");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(
      wait_until_signal_caught(dir / "prosody.pid", SIGHUP, "prosody", std::chrono::seconds(20)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(600));
  ::kill(server, SIGHUP);  // what prosodyctl reload sends: now a reload, not a stop
  pollfd report{handled[0], POLLIN, 0};
  EXPECT_EQ(::poll(&report, 1, 5000), 1) << "the server did not handle the signal";
  EXPECT_EQ(::waitpid(server, nullptr, WNOHANG), 0) << "the signal stopped the server";
  stop(server);
  ::close(handled[0]);
  ::close(handled[1]);
}

TEST(SignalReady, AServerThatNeverHandlesItIsNotSignalledAndTheErrorSaysWhy) {
  TempDir dir;
  pid_t server = start_late_handler(-1);
  write_text(dir / "prosody.pid", std::to_string(server) + "\n");
  std::string error = error_message_of<OperationError>([&] {
    wait_until_signal_caught(dir / "prosody.pid", SIGHUP, "prosody", std::chrono::seconds(1));
  });
  EXPECT_NE(error.find("still starting"), std::string::npos) << error;
  EXPECT_NE(error.find((dir / "prosody.pid").string()), std::string::npos) << error;
  stop(server);
  // No pid file, or a pid that is gone: not running, at once.
  EXPECT_FALSE(
      wait_until_signal_caught(dir / "prosody.pid", SIGHUP, "prosody", std::chrono::seconds(9)));
  EXPECT_FALSE(
      wait_until_signal_caught(dir / "missing.pid", SIGHUP, "prosody", std::chrono::seconds(9)));
}

TEST(SignalReady, ProsodysPidFileIsReadFromItsConfigRelativeToDataPath) {
  TempDir dir;
  write_text(dir / "prosody.cfg.lua",
             "data_path = \"/var/lib/prosody\"\npidfile = \"prosody.pid\"\nVirtualHost \"a.test\"\n");
  EXPECT_EQ(read_prosody_config(dir / "prosody.cfg.lua").pidfiles.at("prosody"),
            std::filesystem::path("/var/lib/prosody/prosody.pid"));
  write_text(dir / "prosody.cfg.lua", "pidfile = \"/run/prosody/prosody.pid\"\n");
  EXPECT_EQ(read_prosody_config(dir / "prosody.cfg.lua").pidfiles.at("prosody"),
            std::filesystem::path("/run/prosody/prosody.pid"));
}

}  // namespace
}  // namespace xmppcert::testing
