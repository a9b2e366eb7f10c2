// xmppcertd as the package runs it: the unit's `--config /etc/xmppcert/xmppcert.json` lists
// no certificate (the package's config), while the state dir holds what the README's quick
// start enrolled with the CLI. Every stored certificate is managed, config entries override
// the stored request, and `status` says where each one's request comes from.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/starttls_probe.h"
#include "engine/store.h"
#include "tests/integration/agent_fixture.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

void write_package_config(const fs::path& path, const nlohmann::json& certificates) {
  nlohmann::json config = {{"include", {"conf.d/*.json"}},
                           {"defaults", {{"issuer", "local"}, {"validity", "90d"}}},
                           {"certificates", certificates}};
  write_file_atomically(path, config.dump(2), with_mode(0644));
}

TEST_F(AgentTest, CliEnrolledCertificatesAreRenewedByTheAgentOfThePackagesConfig) {
  ProcessResult enroll = run_xmppcert(
      {"enroll", "cli.example.test", "--validity", "9s", "--state-dir", (dir / "state").string()});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err;
  write_package_config(dir / "config.json", nlohmann::json::object());
  start();
  // 9 s lifetime: due two thirds in.
  EXPECT_TRUE(eventually([&] { return current_version("cli.example.test") >= 2; }, seconds(20)))
      << log();
  EXPECT_NE(log().find("managing 1 certificate(s)"), std::string::npos) << log();
  ProcessResult status = run_xmppcert({"status", "--config", (dir / "config.json").string(),
                                       "--state-dir", (dir / "state").string()});
  EXPECT_NE(status.out.find("renewed_from=stored-request"), std::string::npos) << status.out;

  // Enrolled while the agent runs (the package starts it first): picked up without SIGHUP.
  enroll = run_xmppcert({"enroll", "later.example.test", "--validity", "9s", "--state-dir",
                         (dir / "state").string()});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err;
  EXPECT_TRUE(eventually([&] { return current_version("later.example.test") >= 2; }, seconds(20)))
      << log();
}

TEST_F(AgentTest, AConfigEntryOverridesTheStoredRequestOfTheSameName) {
  ProcessResult enroll =
      run_xmppcert({"enroll", "both.example.test", "--state-dir", (dir / "state").string()});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err;
  nlohmann::json certificates = {
      {"both.example.test", {{"domains", {"both.example.test"}}, {"components", {"conference"}}}}};
  write_package_config(dir / "config.json", certificates);
  start();
  EXPECT_TRUE(eventually([&] { return current_version("both.example.test") >= 2; }, seconds(20)))
      << log();
  auto record = StateDirStore(dir / "state").load("both.example.test");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->request.components, std::vector<std::string>{"conference"});
  ProcessResult status =
      run_xmppcert({"status", "both.example.test", "--config", (dir / "config.json").string(),
                    "--state-dir", (dir / "state").string()});
  EXPECT_NE(
      status.out.find((dir / "config.json").string() + ": certificates.\"both.example.test\""),
      std::string::npos)
      << status.out;
}

}  // namespace
}  // namespace xmppcert::testing

namespace xmppcert::testing {
namespace {

// Issue 23 item 2, the admin's repro: `prosodyctl stop; xmppcert renew D --force;
// prosodyctl start; xmppcertd --config C`. The agent renews once, at its first backoff step,
// and then sleeps: no child forked every second, `status` no longer FAILED, and the failure
// metric (the admin's alert) back at 0.
TEST_F(AgentTest, ARenewalThatFailedWhileProsodyWasStoppedIsRetriedOnceThenTheAgentIsQuiet) {
  if (!ProsodyServer::available()) GTEST_SKIP() << "prosody is not installed";
  ProsodyServer server("example.test");
  nlohmann::json config = {
      {"defaults", {{"validity", "1h"}}},
      {"certificates", {{"example.test", {{"install", server.install_settings()}}}}}};
  write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  const std::vector<std::string> where{"--config", (dir / "config.json").string(), "--state-dir",
                                       (dir / "state").string()};
  auto xmppcert = [&](std::vector<std::string> args) {
    args.insert(args.end(), where.begin(), where.end());
    return run_xmppcert(args);
  };
  ProcessResult enroll = xmppcert({"enroll"});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err << server.log();

  ProcessResult stop = run_process(server.ctl({"stop"}));
  ASSERT_TRUE(eventually([&] { return !server.running(); }, seconds(20))) << stop.err;
  ProcessResult renew = xmppcert({"renew", "example.test", "--force"});
  ASSERT_EQ(renew.exit_code, 1) << renew.out;
  server.restart();

  const std::string failures = "xmppcert_consecutive_failures{certificate=\"example.test\"} ";
  auto metric_says = [&](const std::string& value) {
    return fs::exists(dir / "metrics.prom") &&
           read_file(dir / "metrics.prom").find(failures + value + "\n") != std::string::npos;
  };
  start();
  // Written at start, well before the retry (the first backoff step is 30 s after the failure).
  EXPECT_TRUE(eventually([&] { return metric_says("1"); }, seconds(10))) << log();
  StateDirStore store(dir / "state");
  auto renewed = [&] {
    auto record = store.load("example.test");
    return record && record->current_version >= 2 && record->last_attempt &&
           record->last_attempt->ok;
  };
  EXPECT_TRUE(eventually(renewed, seconds(60))) << log();
  EXPECT_EQ(occurrences(log(), "issuing:"), 1u) << log();
  // The agent stores the record before it logs the next action it plans: count from there.
  auto planned_after_issuing = [&] {
    std::string text = log();
    size_t issued = text.find("issued v2");
    return issued != std::string::npos && text.find("next action", issued) != std::string::npos;
  };
  EXPECT_TRUE(eventually(planned_after_issuing, seconds(10))) << log();
  // Quiet afterwards: no further action within the next seconds (it was one per second).
  size_t actions = occurrences(log(), "next action");
  EXPECT_FALSE(eventually([&] { return occurrences(log(), "next action") > actions; }, seconds(5)))
      << log();
  ProcessResult status = xmppcert({"status"});
  EXPECT_NE(status.out.find("last=ok"), std::string::npos) << status.out;
  EXPECT_TRUE(eventually([&] { return metric_says("0"); }, seconds(5)))
      << read_file(dir / "metrics.prom");
}

}  // namespace
}  // namespace xmppcert::testing

namespace xmppcert::testing {
namespace {

bool served_includes(const XmppServer& server, const std::string& name) {
  try {
    ServedChain served = probe_starttls({"127.0.0.1", server.c2s_port(), "example.test", false});
    auto dns = inspect_certificate(served.chain.front().get()).identities.dns_ids;
    return std::find(dns.begin(), dns.end(), name) != dns.end();
  } catch (const std::exception&) {
    return false;
  }
}

// Issue 23 item 3: Debian's prosody layout, conf.d/X.cfg.lua -> ../conf.avail/X.cfg.lua. An
// edit of the target is served within 10 s, and so is one of a new target after the link is
// re-pointed.
TEST_F(AgentTest, AnEditOfAConfAvailFileBehindAConfDLinkIsServedWithinSeconds) {
  if (!ProsodyServer::available()) GTEST_SKIP() << "prosody is not installed";
  TempDir etc;  // absolute, so that it exists before prosody reads the Include
  fs::permissions(etc.path(), fs::perms(0755));
  fs::create_directories(etc / "conf.avail");
  fs::create_directories(etc / "conf.d");
  write_text(etc / "conf.avail" / "example.test.cfg.lua", "-- the Debian way to add hosts\n");
  fs::create_symlink("../conf.avail/example.test.cfg.lua", etc / "conf.d" / "example.test.cfg.lua");
  ProsodyServer server("example.test",
                       "Include \"" + (etc / "conf.d" / "*.cfg.lua").string() + "\"\n");
  nlohmann::json config = {
      {"defaults", {{"validity", "1h"}}},
      {"certificates", {{"example.test", {{"install", server.install_settings()}}}}}};
  write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  start();
  ASSERT_TRUE(eventually([&] { return current_version("example.test") == 1; }, seconds(30)))
      << log() << server.log();

  write_text(etc / "conf.avail" / "example.test.cfg.lua",
             "Component \"rooms.example.test\" \"muc\"\n");
  EXPECT_TRUE(
      eventually([&] { return served_includes(server, "rooms.example.test"); }, seconds(10)))
      << log();

  // Re-pointed (ln -sf, atomically): the new target is watched from then on.
  write_text(etc / "conf.avail" / "moved.cfg.lua", "Component \"rooms.example.test\" \"muc\"\n");
  size_t reloads = occurrences(log(), "config changed");
  fs::create_symlink("../conf.avail/moved.cfg.lua", etc / "conf.d" / ".tmp-link");
  fs::rename(etc / "conf.d" / ".tmp-link", etc / "conf.d" / "example.test.cfg.lua");
  ASSERT_TRUE(eventually([&] { return occurrences(log(), "config changed") > reloads; }, seconds(10)))
      << log();
  write_text(etc / "conf.avail" / "moved.cfg.lua",
             "Component \"rooms.example.test\" \"muc\"\nComponent \"chat.example.test\" \"muc\"\n");
  EXPECT_TRUE(eventually([&] { return served_includes(server, "chat.example.test"); }, seconds(10)))
      << log();
}

}  // namespace
}  // namespace xmppcert::testing
