// Every agent watches its own names (issue 26, item 4), across hosts: b's xmppcertd follows
// the foundation CA's transparency log (the log list of `xmppcert-ca log-list`, polled every
// kLogPollSeconds). An attacker who holds b.example.test's port 80 for a moment (an ACME
// client of its own on b's host, answering http-01) gets a certificate for b from the CA;
// within one poll b's agent logs an alarm with the attacker's serial, `status` shows it and
// `check --log` fails and the admin's "on_unexpected" hook is told, until `xmppcert ack
// SERIAL`. Certificates b asked for itself (its enrolment, and a renewal while the agent
// watches, shown to be in the log before it was installed) raise nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "engine/fs.h"
#include "engine/store.h"
#include "plugins/log_watch/log_watch_state.h"
#include "tests/federation/foundation_federation_fixture.h"
#include "tests/integration/agent_fixture.h"  // eventually()
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

// The watch state's read position in the site's state dir (0: not read yet).
uint64_t entries_read(const Site& site) {
  auto state = logwatch::load_log_watch_state(site.state());
  return state.logs.empty() ? 0 : state.logs.begin()->second.next_index;
}

ProcessResult xmppcert_on(const Site& site, std::vector<std::string> args) {
  OnHost on(*site.host);
  args.push_back("--config");
  args.push_back(site.config());
  return run_xmppcert(args);
}

TEST_F(FoundationFederation,
       CertificateForBThatBDidNotRequestRaisesAnAlarmWithinOnePollUntilAcknowledged) {
  // b's enrolment is in the log; the agent read it and raised nothing.
  ASSERT_TRUE(eventually([&] { return entries_read(b) >= 2; }, seconds(3 * kLogPollSeconds)))
      << b.agent_log();
  const std::string alarm = "ALARM: unexpected certificate";
  EXPECT_EQ(b.agent_log().find(alarm), std::string::npos) << b.agent_log();

  // b renews itself while its agent watches: its own certificate, nothing to say.
  ProcessResult renewed = xmppcert_on(b, {"renew", "--force"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.out << renewed.err;
  // ... and proved it is in the log before installing it.
  EXPECT_NE((renewed.out + renewed.err).find("(inclusion proof verified against its tree head"),
            std::string::npos)
      << renewed.out << renewed.err;
  uint64_t after_renewal = std::stoull(ca->sql("SELECT COUNT(*) FROM ct_entries"));
  ASSERT_TRUE(eventually([&] { return entries_read(b) >= after_renewal; },
                         seconds(3 * kLogPollSeconds)))
      << b.agent_log();
  EXPECT_EQ(b.agent_log().find(alarm), std::string::npos) << b.agent_log();

  // The attacker: an ACME client of its own on b's host, answering http-01 on b's port 80.
  TempDir attacker;
  nlohmann::json acme = {
      {"directory", ca->directory_url()},
      {"root_sha256", sha256_fingerprint(parse_certificate(read_file(ca->root_file()), "root").get())},
      {"agree_tos", true}};
  nlohmann::json config = {
      {"state_dir", (attacker / "state").string()},
      {"certificates",
       {{b.domain, {{"issuer", "foundation"}, {"acme", acme}, {"xmpp_addr", false}}}}}};
  write_file_atomically(attacker / "xmppcert.json", config.dump(2), with_mode(0644));
  ProcessResult stolen;
  {
    OnHost on(*b.host);
    stolen = run_xmppcert({"enroll", "--config", (attacker / "xmppcert.json").string()});
  }
  ASSERT_EQ(stolen.exit_code, 0) << stolen.out << stolen.err;
  auto issued = std::chrono::steady_clock::now();
  std::string serial = StateDirStore(attacker / "state").load(b.domain)->certificate.serial_hex;

  ASSERT_TRUE(eventually([&] { return b.agent_log().find(alarm + " serial " + serial) !=
                                      std::string::npos; },
                         seconds(3 * kLogPollSeconds)))
      << b.agent_log();
  double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - issued).count();
  // Reported, not asserted (no timed assertions): the issue asks for "within one poll".
  std::cout << "b's agent raised the alarm " << took << " s after the attacker's certificate was "
            << "issued (poll interval " << kLogPollSeconds << " s)\n";
  std::string line = b.agent_log().substr(b.agent_log().find(alarm));
  line = line.substr(0, line.find('\n'));
  std::cout << line << "\n";
  EXPECT_NE(line.find(b.domain), std::string::npos) << line;
  EXPECT_NE(line.find("entry "), std::string::npos) << line;
  EXPECT_NE(line.find(" issued 20"), std::string::npos) << line;
  EXPECT_NE(line.find("to account https://ca.example.test:"), std::string::npos) << line;
  EXPECT_NE(line.find("/acme/acct/"), std::string::npos) << line;
  // The admin's hook was told, once, with the serial and the names.
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(b.on_unexpected_env()); },
                         seconds(10)));
  std::string told = read_file(b.on_unexpected_env());
  EXPECT_EQ(occurrences(told, "XMPPCERT_SERIAL=" + serial + "\n"), 1u) << told;
  EXPECT_NE(told.find("XMPPCERT_DOMAINS=" + b.domain), std::string::npos) << told;
  EXPECT_NE(told.find("XMPPCERT_ACCOUNT=https://"), std::string::npos) << told;

  const std::string open_metric = "xmppcert_transparency_log_open_alarms ";
  EXPECT_TRUE(eventually([&] { return read_file(b.metrics()).find(open_metric + "1\n") !=
                                      std::string::npos; },
                         seconds(3 * kLogPollSeconds)))
      << read_file(b.metrics());
  ProcessResult status = xmppcert_on(b, {"status"});
  EXPECT_NE(status.out.find(alarm + " serial " + serial), std::string::npos) << status.out;
  EXPECT_EQ(xmppcert_on(b, {"check", "--log"}).exit_code, 1);

  ProcessResult ack = xmppcert_on(b, {"ack", serial});
  ASSERT_EQ(ack.exit_code, 0) << ack.out << ack.err;
  // Quiet after the ack, also after the agent's next rounds.
  uint64_t size = std::stoull(ca->sql("SELECT COUNT(*) FROM ct_entries"));
  auto state_before = logwatch::load_log_watch_state(b.state()).logs.begin()->second.last_success;
  ASSERT_TRUE(eventually(
      [&] {
        return logwatch::load_log_watch_state(b.state()).logs.begin()->second.last_success >
               state_before;
      },
      seconds(3 * kLogPollSeconds)));
  EXPECT_EQ(entries_read(b), size);
  EXPECT_TRUE(eventually([&] { return read_file(b.metrics()).find(open_metric + "0\n") !=
                                      std::string::npos; },
                         seconds(3 * kLogPollSeconds)))
      << read_file(b.metrics());
  status = xmppcert_on(b, {"status"});
  EXPECT_EQ(status.out.find("ALARM"), std::string::npos) << status.out;
  ProcessResult check = xmppcert_on(b, {"check", "--log"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(occurrences(b.agent_log(), alarm), 1u) << b.agent_log();
  EXPECT_EQ(occurrences(read_file(b.on_unexpected_env()), "XMPPCERT_SERIAL="), 1u);
  // a's agent watches only a's names.
  EXPECT_EQ(a.agent_log().find(alarm), std::string::npos) << a.agent_log();
}

}  // namespace
}  // namespace xmppcert::testing
