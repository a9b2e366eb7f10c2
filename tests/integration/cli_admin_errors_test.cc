// What an admin meets in the first hour (issue 17, findings 4, 5, 7, 8, 10): commands that
// only read or renew refuse a state dir that does not exist, naming it; `ca export` never
// creates a CA; an untrusted ACME server is named with a hint to --acme-trust and not
// retried; a missing or plain-http --acme-directory is named by its flag, not by the
// settings key it fills; a mistyped option gets a "did you mean"; log lines start with the UTC time
// unless stderr is the journal, -q keeps only warnings; the agent says at start when it acts next
// (the time `status` shows) or that it has nothing to manage; a `files` install without the
// key warns.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

class MissingStateDir : public ::testing::Test {
 protected:
  std::string state() const { return (dir_ / "no-such-state").string(); }
  void expect_refused(const ProcessResult& r) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(state()), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(state())) << "nothing may be created";
  }
  TempDir dir_;
};

TEST_F(MissingStateDir, RenewIsAUsageErrorNamingThePath) {
  expect_refused(run_xmppcert({"renew", "--state-dir", state()}));
}

TEST_F(MissingStateDir, StatusIsAUsageErrorNamingThePath) {
  expect_refused(run_xmppcert({"status", "--state-dir", state()}));
  expect_refused(run_xmppcert({"status", "--json", "--state-dir", state()}));
}

TEST_F(MissingStateDir, CaExportDoesNotCreateACa) {
  ProcessResult r = run_xmppcert({"ca", "export", "--state-dir", state()});
  expect_refused(r);
  EXPECT_NE(r.err.find("no local CA at " + state() + "/ca/local/root.pem"), std::string::npos)
      << r.err;
}

TEST_F(MissingStateDir, AnExistingButEmptyStateDirIsNotAnError) {
  std::filesystem::create_directories(dir_ / "empty");
  ProcessResult r = run_xmppcert({"renew", "--state-dir", (dir_ / "empty").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to renew"), std::string::npos) << r.out;
}

TEST(CliErrors, AnUntrustedAcmeServerIsNamedWithAHintAndNotRetried) {
  if (!Pebble::available()) GTEST_SKIP() << "pebble is not installed";
  Pebble pebble;
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_xmppcert(
      {"enroll", "example.test", "--issuer", "acme", "--acme-directory", pebble.directory_url(),
       "--acme-agree-tos", "--http01-address", "127.0.0.1", "--http01-port",
       std::to_string(pebble.http01_port()), "--state-dir", (pebble.dir() / "state").string()});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("not trusted by the system's trust store"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--acme-trust PEM"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("attempts"), std::string::npos)
      << "a trust failure is not retried: " << r.err;
  EXPECT_LT(took, std::chrono::seconds(3)) << "retries sleep 1 s, then 2 s";
}

TEST(CliErrors, AMistypedOptionGetsTheNearestOne) {
  ProcessResult r = run_xmppcert({"enroll", "example.test", "--componnet", "conference"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option --componnet (did you mean \"--component\"?)"),
            std::string::npos)
      << r.err;
}

TEST(CliErrors, AnAcmeDirectoryMissingFromTheCommandLineIsNamedByItsFlag) {
  TempDir dir;
  std::vector<std::string> args{
      "enroll",      "example.test",          "--issuer", "acme", "--dry-run",
      "--state-dir", (dir / "state").string()};
  ProcessResult missing = run_xmppcert(args);
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find(
                "command line: --acme-directory: an https:// ACME directory URL is required"),
            std::string::npos)
      << missing.err;
  args.insert(args.end(), {"--acme-directory", "http://ca.example.test/dir"});
  ProcessResult plain_http = run_xmppcert(args);
  EXPECT_EQ(plain_http.exit_code, 2) << plain_http.err;
  EXPECT_NE(plain_http.err.find("--acme-directory: an https://"), std::string::npos)
      << plain_http.err;
  EXPECT_EQ(plain_http.err.find("command line.acme."), std::string::npos) << plain_http.err;
}

const std::regex kStampedLine(R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ example\.test: issuing)");

class Logs : public ::testing::Test {
 protected:
  std::string state() const { return (dir_ / "state").string(); }
  // Runs xmppcertd on the state dir with stderr to a file until its log holds `expected`
  // (10 s at most), stops it, and returns the log.
  std::string agent_log_until(const std::string& expected) {
    auto log = dir_ / "agent.log";
    pid_t pid = ::fork();
    if (pid == 0) {
      FILE* out = std::fopen(log.c_str(), "w");
      if (out) ::dup2(fileno(out), 2);
      ::execl(XMPPCERTD_BINARY, "xmppcertd", "--state-dir", state().c_str(), nullptr);
      ::_exit(127);
    }
    std::string text;
    eventually(
        [&] {
          text = std::filesystem::exists(log) ? read_file(log) : "";
          return text.find(expected) != std::string::npos;
        },
        std::chrono::seconds(10));
    ::kill(pid, SIGTERM);
    int wait_status = 0;
    ::waitpid(pid, &wait_status, 0);
    return text;
  }
  TempDir dir_;
};

TEST_F(Logs, EveryLogLineStartsWithTheUtcTime) {
  ProcessResult r = run_xmppcert({"enroll", "example.test", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, kStampedLine)) << r.err;
}

TEST_F(Logs, UnderTheJournalLinesCarryNoTimestamp) {
  // JOURNAL_STREAM names stderr's device and inode, as systemd sets it.
  ProcessResult r = run_process(
      {"/bin/sh", "-c",
       "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" enroll example.test "
       "--state-dir \"$1\"",
       XMPPCERT_BINARY, state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("example.test: issuing", 0), 0u) << r.err;
}

TEST_F(Logs, QuietKeepsOnlyWarningsAndVerboseIsAccepted) {
  ProcessResult quiet = run_xmppcert({"-q", "enroll", "example.test", "--state-dir", state()});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  ProcessResult verbose = run_xmppcert({"renew", "--force", "--verbose", "--state-dir", state()});
  EXPECT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_TRUE(std::regex_search(verbose.err, kStampedLine)) << verbose.err;
}

TEST_F(Logs, AFilesInstallOfTheFullChainWithoutTheKeyWarnsEvenWhenQuiet) {
  nlohmann::json config = {
      {"state_dir", state()},
      {"certificates",
       {{"example.test",
         {{"install", {{"plugin", "files"}, {"fullchain", (dir_ / "example.crt").string()}}}}}}}};
  write_text(dir_ / "config.json", config.dump());
  ProcessResult r = run_xmppcert({"enroll", "-q", "--config", (dir_ / "config.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("installs the certificate but not its private key"), std::string::npos)
      << r.err;
}

TEST_F(Logs, ALogFileKeepsEveryStampedLineAndTheErrorARunExitsWith) {
  std::string log = (dir_ / "xmppcert.log").string();
  ProcessResult ok =
      run_xmppcert({"--log-file", log, "enroll", "example.test", "--state-dir", state()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  ProcessResult bad =
      run_xmppcert({"enroll", "bad..name", "--state-dir", state(), "--log-file", log});
  ASSERT_EQ(bad.exit_code, 2);
  std::string text = read_file(log);
  EXPECT_TRUE(std::regex_search(text, kStampedLine)) << text;
  EXPECT_NE(text.find("Z xmppcert: " + bad.err.substr(bad.err.find(": ") + 2)), std::string::npos)
      << text;
  EXPECT_EQ(std::filesystem::status(log).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

TEST_F(Logs, ALogFileThatIsASymlinkIsRefusedNamingIt) {
  std::filesystem::create_symlink(dir_ / "elsewhere.log", dir_ / "link.log");
  std::string log = (dir_ / "link.log").string();
  ProcessResult r = run_xmppcert({"--log-file", log, "status", "--state-dir", state()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("open log file " + log), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "elsewhere.log"));
}

TEST_F(Logs, ALogFileAnotherUserOwnsOrWithASecondHardLinkIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
  auto owned = dir_ / "daemon.log";
  write_text(owned, "");
  ASSERT_EQ(::chown(owned.c_str(), 65534, 65534), 0);
  ProcessResult r = run_xmppcert({"--log-file", owned.string(), "status", "--state-dir", state()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("open log file " + owned.string() + ": owned by uid 65534"),
            std::string::npos)
      << r.err;
  auto linked = dir_ / "linked.log";
  write_text(linked, "");
  std::filesystem::create_hard_link(linked, dir_ / "second-name");
  r = run_xmppcert({"--log-file", linked.string(), "status", "--state-dir", state()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has 2 hard links"), std::string::npos) << r.err;
}

TEST_F(Logs, TheAgentSaysAtStartWhenItActsNextTheTimeStatusShows) {
  ASSERT_EQ(run_xmppcert({"enroll", "example.test", "--state-dir", state()}).exit_code, 0);
  auto status =
      nlohmann::json::parse(run_xmppcert({"status", "--json", "--state-dir", state()}).out);
  const std::string next = status[0]["next_renewal"];
  const std::string expected = "example.test: next action " + next;
  std::string text = agent_log_until(expected);
  EXPECT_NE(text.find(expected), std::string::npos) << text;
}

TEST_F(Logs, TheAgentWithNothingToManageSaysSo) {
  std::filesystem::create_directories(dir_ / "state");
  std::string text = agent_log_until("nothing to manage");
  EXPECT_NE(text.find("nothing to manage yet: no certificate enrolled in " + state()),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace xmppcert::testing
