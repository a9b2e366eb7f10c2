// Federation across hosts with the foundation CA (issue 13). Three hosts, each a network
// namespace of its own on one virtual network (tests/federation/virtual_network.h): "ca" runs
// xmppcert-ca and BIND for example.test (192.0.2.1); "a" runs prosody serving a.example.test
// (192.0.2.2), "b" ejabberd serving b.example.test (192.0.2.3), each with its own xmppcert
// config, state dir and xmppcertd. Each host enrolls from the CA over ACME with real http-01
// validation (the CA resolves the host through BIND and fetches from its port 80, where
// xmppcert answers), pins the CA's root by its SHA-256 and installs it as its server's s2s trust
// anchor ("trust_anchor": "foundation"). Messages flow both ways over s2s authenticated with
// SASL EXTERNAL, never dialback. Then the operator runs `xmppcert-ca renew-now`: both agents,
// never restarted, see the moved renewalInfo window at their next poll (the CA's Retry-After:
// 60 s), renew inside it, install and reload; each host serves its new certificate as the
// other host sees over STARTTLS, and new s2s links authenticate with the new certificates.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include "engine/fs.h"
#include "tests/federation/foundation_federation_fixture.h"
#include "tests/integration/agent_fixture.h"  // eventually()
#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {
namespace {

TEST_F(FoundationFederation,
       HostsEnrolledOverHttp01FederateWithSaslExternalAndBothAgentsRenewWhenTheCaMovesTheWindow) {
  for (const Site* site : {&a, &b})
    EXPECT_EQ(installed_trust_anchor(*site), read_file(ca->root_file())) << site->domain;
  messages_flow_both_ways(a, b, "before");
  authenticated_with_sasl_external(a, b, 1);
  std::map<const Site*, nlohmann::json> first;  // as each host's peer sees it
  for (const Site* site : {&a, &b}) {
    nlohmann::json seen = first[site] = served(*site);
    EXPECT_EQ(seen["ok"], true) << seen.dump(2);
    EXPECT_EQ(seen["store"], "matches \"" + site->domain + "\" v1") << seen.dump(2);
  }

  // Each agent polled renewalInfo once at start, when there was nothing to change: what it
  // follows below it learns at a re-poll.
  std::this_thread::sleep_until(agents_started + seconds(5));
  ProcessResult moved =
      run_xmppcert_ca({"renew-now", "--state-dir", ca->state_dir(), "--within", "2m"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  std::time_t moved_at = std::time(nullptr);
  // At its next renewalInfo poll (the CA's Retry-After: 60 s) each agent finds the window
  // moved to [now, now + 2 min], renews at a time in it, installs and reloads. One deadline
  // for both, well inside CTest's.
  ASSERT_TRUE(eventually([&] { return a.version() == 2 && b.version() == 2; }, seconds(170)))
      << a.agent_log() << b.agent_log() << "\nCA log:\n"
      << ca->log();
  for (Site* site : {&a, &b}) {
    std::string log = site->agent_log();
    std::cout << site->domain << ": v2 issued by its agent "
              << logged_at(log, ": issued v2") - moved_at << " s after renew-now\n";
    const std::string moved_line = "renewal window now ";
    std::time_t noticed = logged_at(log, moved_line);
    EXPECT_GE(noticed, logged_at(log, "xmppcertd: managing") + 30) << "seen at a re-poll\n" << log;
    std::time_t pick = time_in_line(log, moved_line, "renewing at ");
    EXPECT_GE(pick, time_in_line(log, moved_line, moved_line)) << "inside the window\n" << log;
    EXPECT_LE(pick, time_in_line(log, moved_line, " .. ")) << "inside the window\n" << log;
    // Begun at that time, or at once when the poll came after it (a few seconds' wake-up).
    EXPECT_LE(logged_at(log, ": issuing: "), std::max(pick, noticed) + 5) << log;
    nlohmann::json seen;
    EXPECT_TRUE(eventually(
        [&] {
          seen = served(*site);
          return seen["store"] == "matches \"" + site->domain + "\" v2";
        },
        seconds(20)))
        << seen.dump(2) << site->agent_log();
    EXPECT_EQ(seen["ok"], true) << seen.dump(2);
    EXPECT_NE(seen["sha256_fingerprint"], first[site]["sha256_fingerprint"]) << seen.dump(2);
    EXPECT_TRUE(site->agent_running()) << "never restarted:\n" << site->agent_log();
  }

  // New s2s links, authenticated with the new certificates, carry the messages.
  new_links_federate(a, b, *ejabberd, "after", 2);
}

}  // namespace
}  // namespace xmppcert::testing

int main(int argc, char** argv) {
  using xmppcert::testing::FoundationFederation;
  return xmppcert::testing::run_federation_tests(argc, argv,
                                                 FoundationFederation::namespace_problem,
                                                 xmppcert::testing::kFoundationFederationNames);
}
