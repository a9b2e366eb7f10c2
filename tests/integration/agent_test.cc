// The real xmppcertd against the local CA with 30-second certificates: it issues and installs
// each, renews on time, reinstalls a deleted installed file, acts on a config edit within
// seconds, and exits 0 on SIGTERM with the store readable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/store.h"
#include "tests/integration/agent_fixture.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

TEST_F(AgentTest, RenewsOnTimeReinstallsDeletedFilesFollowsConfigEditsAndStopsOnSigterm) {
  fs::create_directories(dir / "out");
  write_config({"a.example.test", "b.example.test"});
  start();
  ASSERT_TRUE(
      eventually([&] { return fs::exists(dir / "out" / "b.example.test.crt"); }, seconds(10)))
      << log();
  EXPECT_EQ(current_version("a.example.test"), 1);

  fs::remove(dir / "out" / "a.example.test.key");
  StateDirStore store(dir / "state");
  std::string key = read_file(store.version("a.example.test", 1).key_path());
  EXPECT_TRUE(eventually(
      [&] {
        return fs::exists(dir / "out" / "a.example.test.key") &&
               read_file(dir / "out" / "a.example.test.key") == key;
      },
      seconds(5)))
      << log();
  EXPECT_NE(log().find("was deleted by someone else; reinstalling v1"), std::string::npos);

  write_config({"a.example.test", "b.example.test", "c.example.test"});
  EXPECT_TRUE(
      eventually([&] { return fs::exists(dir / "out" / "c.example.test.crt"); }, seconds(5)))
      << log();

  // A packager's snippet dropped into the included folder, which did not exist at start: the
  // folder and its snippet at once, just after c was issued (the agent refreshes its watches
  // after an issuance, and a folder that appeared just before that was once missed).
  fs::create_directories(dir / "conf.d");
  nlohmann::json snippet = {
      {"certificates",
       {{"d.example.test",
         {{"install",
           {{"plugin", "files"},
            {"fullchain", (dir / "out" / "d.example.test.crt").string()}}}}}}}};
  write_file_atomically(dir / "conf.d" / "d.json", snippet.dump(), with_mode(0644));
  EXPECT_TRUE(
      eventually([&] { return fs::exists(dir / "out" / "d.example.test.crt"); }, seconds(5)))
      << log();

  // 30 s lifetime: renewal two thirds in, about 20 s after issuance.
  EXPECT_TRUE(eventually(
      [&] {
        return current_version("a.example.test") >= 2 && current_version("b.example.test") >= 2;
      },
      seconds(35)))
      << log();
  EXPECT_EQ(
      read_file(dir / "out" / "a.example.test.crt"),
      read_file(
          store.version("a.example.test", current_version("a.example.test")).fullchain_path()));
  EXPECT_NE(read_file(dir / "metrics.prom")
                .find("xmppcert_certificate_not_after_seconds{certificate=\"a.example.test\"}"),
            std::string::npos);

  EXPECT_TRUE(stops_cleanly_on_sigterm()) << log();
  ProcessResult status_run =
      run_xmppcert({"status", "--json", "--state-dir", (dir / "state").string()});
  EXPECT_EQ(status_run.exit_code, 0) << status_run.err;
  EXPECT_EQ(nlohmann::json::parse(status_run.out).size(), 4u);
}

TEST_F(AgentTest, SigtermDuringAnOperationFinishesItThenExitsZero) {
  fs::create_directories(dir / "out");
  // The reload command marks that the operation is under way, then takes two seconds.
  std::string marker = (dir / "reloading").string();
  write_config({"a.example.test"}, {"/bin/sh", "-c", "touch " + marker + " && sleep 2"});
  start();
  ASSERT_TRUE(eventually([&] { return fs::exists(marker); }, seconds(10))) << log();
  EXPECT_TRUE(stops_cleanly_on_sigterm()) << log();
  // The operation completed: version 1 is current and installed, not half-done.
  EXPECT_EQ(current_version("a.example.test"), 1) << log();
  StateDirStore store(dir / "state");
  EXPECT_EQ(read_file(dir / "out" / "a.example.test.crt"),
            read_file(store.version("a.example.test", 1).fullchain_path()));
}

// The time of the last "NAME: next action T" line in `log` at or after `from`; "" if none.
std::string last_next_action(const std::string& log, const std::string& name, size_t from = 0) {
  const std::string needle = name + ": next action ";
  size_t at = log.rfind(needle);
  if (at == std::string::npos || at < from) return "";
  return log.substr(at + needle.size(), log.find('\n', at) - at - needle.size());
}

// Issue 23 item 4: SIGHUP (what `systemctl reload xmppcertd` sends) re-reads the config and
// asks the issuers again, and loses nobody's schedule: a certificate that is not due keeps
// its next action, to the second, and is not renewed.
TEST_F(AgentTest, SighupReloadsTheConfigAndKeepsEachCertificatesNextAction) {
  fs::create_directories(dir / "out");
  write_config({"a.example.test"}, {}, "1h");
  start();
  std::string before;
  ASSERT_TRUE(eventually(
      [&] {
        if (!fs::exists(dir / "agent.log")) return false;  // the child has not opened it yet
        std::string text = log();
        size_t issued = text.find("a.example.test: issued v1");
        if (issued == std::string::npos) return false;
        before = last_next_action(text, "a.example.test", issued);
        return !before.empty();
      },
      seconds(10)))
      << log();
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  std::string after;
  ASSERT_TRUE(eventually(
      [&] {
        std::string text = log();
        size_t reread = text.find("config re-read: nothing changed");
        if (reread == std::string::npos) return false;
        after = last_next_action(text, "a.example.test", reread);
        return !after.empty();
      },
      seconds(10)))
      << log();
  EXPECT_EQ(after, before) << log();
  EXPECT_EQ(current_version("a.example.test"), 1) << log();
  // Issue 23 item 9: `status` shows the next action the agent computes (one function).
  ProcessResult status =
      run_xmppcert({"status", "--json", "--state-dir", (dir / "state").string()});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)[0]["next_action"], before) << status.out;
  EXPECT_TRUE(stops_cleanly_on_sigterm()) << log();
  EXPECT_EQ(current_version("a.example.test"), 1) << log();
}

// Every record's current version is whole (key matches certificate), and every installed file
// is a whole PEM of some stored version.
void expect_store_and_installed_files_valid(const fs::path& dir,
                                            const std::vector<std::string>& names) {
  StateDirStore store(dir / "state");
  for (const auto& name : names) {
    auto record = store.load(name);
    if (!record || record->current_version == 0) continue;
    StoredVersion v = store.version(name, record->current_version);
    X509Ptr cert = parse_certificate(read_file(v.cert_path()), v.cert_path().string());
    PKeyPtr key = load_private_key(read_file(v.key_path()), v.key_path().string());
    EXPECT_TRUE(certificate_matches_key(cert.get(), key.get())) << name;
    fs::path installed = dir / "out" / (name + ".key");
    if (!fs::exists(installed)) continue;
    PKeyPtr installed_key = load_private_key(read_file(installed), installed.string());
    X509Ptr installed_cert = parse_certificate(read_file(dir / "out" / (name + ".crt")), name);
    EXPECT_TRUE(installed_key && installed_cert) << name;
  }
}

TEST_F(AgentTest, KilledAtRandomPointsTheStoreAndInstalledFilesStayValid) {
  fs::create_directories(dir / "out");
  const std::vector<std::string> names = {"a.example.test", "b.example.test", "c.example.test"};
  write_config(names);
  std::mt19937 random(12345);
  for (int round = 0; round < 8; ++round) {
    start();
    // Somewhere in the first issuance burst or between operations.
    // A random moment to stop at (the point of the test), not a wait for a condition.
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 400));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
    expect_store_and_installed_files_valid(dir.path(), names);
  }
  start();  // a clean run afterwards brings everything up to date
  EXPECT_TRUE(eventually(
      [&] {
        for (const auto& name : names)
          if (current_version(name) == 0 || !fs::exists(dir / "out" / (name + ".crt")))
            return false;
        return true;
      },
      seconds(10)))
      << log();
  expect_store_and_installed_files_valid(dir.path(), names);
}

}  // namespace
}  // namespace xmppcert::testing
