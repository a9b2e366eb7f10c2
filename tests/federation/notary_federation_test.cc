// Notaries across hosts (issue 27): each perspective a network namespace of its own on one
// virtual network (tests/federation/virtual_network.h). "ca" (192.0.2.1) runs xmppcert-ca and
// the BIND it resolves through; "n1".."n3" (192.0.2.11-13) each a notary
// (`xmppcert-ca notary serve`) with a BIND of its own; "b" (192.0.2.3) enrolls b.example.test
// with xmppcert answering http-01 on its port 80; "attacker" (192.0.2.66) does the same for
// b's name. The hijack poisons only the CA's resolver (an RFC 2136 update to its BIND), so
// the CA alone sees the attacker: the notaries reach the real b, which knows nothing of the
// attacker's token, and the quorum fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/ca/ca_fixture.h"
#include "tests/ca/notary_fixture.h"
#include "tests/federation/test_namespace.h"
#include "tests/federation/virtual_network.h"
#include "tests/integration/bind_server.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

using nlohmann::json;
constexpr size_t npos = std::string::npos;
const std::string kCa = "192.0.2.1", kB = "192.0.2.3", kAttacker = "192.0.2.66";
const std::vector<std::string> kNotaries = {"192.0.2.11", "192.0.2.12", "192.0.2.13"};
const std::string kTsigSecret = "bm90YXJ5LWZlZGVyYXRpb24tdGVzdC1vbmx5LXNlY3I=";
const std::string kRecords = "ca IN A " + kCa + "\nb IN A " + kB + "\n";
const NamespaceNames kNames{.hosts = "127.0.0.1 localhost\n" + kCa + " ca.example.test\n",
                            .nameserver = kCa};

class NotaryFederation : public ::testing::Test {
 public:
  static std::string namespace_problem;

 protected:
  void SetUp() override {
    if (!namespace_problem.empty()) GTEST_SKIP() << namespace_problem;
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca is not built or bind9 missing";
    if (::access("/usr/bin/nsupdate", X_OK) != 0) GTEST_SKIP() << "nsupdate is not installed";
    if (run_process({"ip", "-V"}).exit_code != 0) GTEST_SKIP() << "iproute2 is not installed";
    network = std::make_unique<VirtualNetwork>();
    // Names new in each test: the kernel removes the last test's veth pairs ("v-NAME")
    // asynchronously, after its namespaces closed.
    static int round = 0;
    std::string n = std::to_string(++round);
    ca_host = &network->add_host("ca" + n, kCa);
    b_host = &network->add_host("b" + n, kB);
    attacker_host = &network->add_host("attacker" + n, kAttacker);
    std::vector<const Notary*> listed;
    for (size_t i = 0; i < kNotaries.size(); ++i) {
      notary_hosts.push_back(
          &network->add_host("n" + std::to_string(i + 1) + "-" + n, kNotaries[i]));
      notaries.push_back(std::make_unique<Notary>("0.0.0.0", kNotaries[i], 8443));
      listed.push_back(notaries.back().get());
    }
    {
      OnHost on(*ca_host);
      ca =
          std::make_unique<FoundationCa>(FoundationCaOptions{.bind_records = kRecords,
                                                             .bind_tsig_secret = kTsigSecret,
                                                             .config_json = notaries_config(listed),
                                                             .hostname = "ca.example.test",
                                                             .listen_address = "0.0.0.0",
                                                             .bind_port = 53,
                                                             .bind_also_listen_on = kCa,
                                                             .http01_port = 80});
    }
    for (size_t i = 0; i < kNotaries.size(); ++i) {
      OnHost on(*notary_hosts[i]);
      resolvers.push_back(
          std::make_unique<BindServer>(BindOptions{.port = 53, .records = kRecords}));
      notaries[i]->serve({.ca_root = ca->root_file(),
                          .resolver = "127.0.0.1:53",
                          .http01_port = 80,
                          .validation_networks = {"192.0.2.0/24"}});
    }
  }

  void TearDown() override {
    notaries.clear();
    resolvers.clear();
    ca.reset();
    network.reset();
  }

  // `xmppcert enroll b.example.test` on `host`, answering http-01 on its port 80.
  ProcessResult enroll(const VirtualHost& host) {
    states.push_back(std::make_unique<TempDir>());
    OnHost on(host);
    return run_xmppcert({"enroll", "b.example.test", "--state-dir", states.back()->path().string(),
                         "--issuer", "foundation", "--acme-directory", ca->directory_url(),
                         "--acme-trust", ca->root_file(), "--acme-agree-tos", "--http01-address",
                         host.address(), "--http01-port", "80"});
  }

  // What the CA's own resolver answers for b.example.test from now on (an RFC 2136 update;
  // TTL 0, so that the CA's libunbound caches none of it).
  void ca_resolves_b_to(const std::string& address) {
    TempDir dir;
    write_text(dir / "key", tsig_key_text(kTsigSecret));
    write_text(dir / "update",
               "server 127.0.0.1 53\nzone example.test\n"
               "update delete b.example.test. A\n"
               "update add b.example.test. 0 A " +
                   address + "\nsend\n");
    OnHost on(*ca_host);
    ProcessResult r =
        run_process({"nsupdate", "-k", (dir / "key").string(), (dir / "update").string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ProcessResult dig = run_process({"dig", "+short", "@127.0.0.1", "-p", "53", "b.example.test"});
    ASSERT_EQ(dig.out, address + "\n") << dig.err;
  }

  json list(std::vector<std::string> more) {
    std::vector<std::string> args{"list", "--state-dir", ca->state_dir(), "--json"};
    for (const auto& arg : ca->config_args()) args.push_back(arg);
    args.insert(args.end(), more.begin(), more.end());
    ProcessResult r = run_xmppcert_ca(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  // The stored perspectives of every validated challenge of b.example.test, oldest first.
  std::vector<json> perspectives() {
    std::vector<json> out;
    json rows = list({"--authorizations", "--domain", "b.example.test"});
    if (rows.is_array())
      for (const auto& row : rows) out.push_back(row["perspectives"]);
    return out;
  }

  std::string logs() const {
    std::string out = "\nCA log:\n" + ca->log();
    for (const auto& notary : notaries) out += "\nnotary " + notary->url() + ":\n" + notary->log();
    return out;
  }

  std::unique_ptr<VirtualNetwork> network;
  VirtualHost *ca_host = nullptr, *b_host = nullptr, *attacker_host = nullptr;
  std::vector<VirtualHost*> notary_hosts;
  std::vector<std::unique_ptr<Notary>> notaries;
  std::vector<std::unique_ptr<BindServer>> resolvers;
  std::unique_ptr<FoundationCa> ca;
  std::vector<std::unique_ptr<TempDir>> states;
};
std::string NotaryFederation::namespace_problem = "not set up";

TEST_F(NotaryFederation, BEnrollsAndEveryNotaryValidatedItFromItsOwnNetwork) {
  ProcessResult r = enroll(*b_host);
  ASSERT_EQ(r.exit_code, 0) << r.err << logs();
  for (const auto& notary : notaries)
    EXPECT_NE(notary->log().find("validated http-01 of b.example.test for "), npos)
        << notary->log();
  auto seen = perspectives();
  ASSERT_EQ(seen.size(), 1u) << logs();
  ASSERT_EQ(seen[0].size(), 4u) << seen[0].dump(2);
  EXPECT_EQ(seen[0][0]["perspective"], "ca") << seen[0].dump(2);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(seen[0][i]["outcome"], "valid") << seen[0].dump(2);
    EXPECT_EQ(seen[0][i]["addresses"], json::array({kB})) << seen[0].dump(2);
    if (i > 0) {
      EXPECT_EQ(seen[0][i]["perspective"], "https://" + kNotaries[i - 1] + ":8443")
          << seen[0].dump(2);
    }
  }
}

TEST_F(NotaryFederation, AHijackOfTheCasResolverFailsTheQuorumAndBStillEnrollsAfterwards) {
  ASSERT_NO_FATAL_FAILURE(ca_resolves_b_to(kAttacker));
  ProcessResult hijack = enroll(*attacker_host);
  EXPECT_NE(hijack.exit_code, 0) << hijack.err << logs();
  EXPECT_NE(hijack.err.find("multi-perspective validation of b.example.test failed: 0 of 3"), npos)
      << hijack.err;
  for (const auto& address : kNotaries)
    EXPECT_NE(hijack.err.find("https://" + address + ":8443 saw"), npos) << hijack.err;
  EXPECT_EQ(list({}), json::array()) << "no certificate issued";
  EXPECT_EQ(ca->log().find("audit: issued serial"), npos) << ca->log();
  auto seen = perspectives();
  ASSERT_EQ(seen.size(), 1u) << logs();
  EXPECT_EQ(seen[0][0]["outcome"], "valid") << "the CA alone was fooled\n" << seen[0].dump(2);
  EXPECT_EQ(seen[0][0]["addresses"], json::array({kAttacker})) << seen[0].dump(2);
  for (size_t i = 1; i < seen[0].size(); ++i) {
    EXPECT_EQ(seen[0][i]["outcome"], "invalid") << seen[0].dump(2);
    EXPECT_EQ(seen[0][i]["addresses"], json::array({kB})) << seen[0].dump(2);
  }

  ASSERT_NO_FATAL_FAILURE(ca_resolves_b_to(kB));
  ProcessResult real = enroll(*b_host);
  EXPECT_EQ(real.exit_code, 0) << real.err << logs();
  EXPECT_EQ(list({}).size(), 1u);
}

}  // namespace
}  // namespace xmppcert::testing

int main(int argc, char** argv) {
  using xmppcert::testing::NotaryFederation;
  return xmppcert::testing::run_federation_tests(argc, argv, NotaryFederation::namespace_problem,
                                                 xmppcert::testing::kNames);
}
