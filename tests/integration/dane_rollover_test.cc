// The TLSA rollover end to end: the real xmppcert against a real BIND on 127.0.0.1 that
// accepts only TSIG-signed updates, with a 2 s TTL. The CLI tests pass the rollover's 2 x TTL
// by moving the times in the record back, not by sleeping; the agent's test runs on its clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dane/dane.h"
#include "dane/dane_state.h"
#include "dane/posh.h"
#include "dane/tlsa_dns.h"
#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/store.h"
#include "tests/integration/agent_fixture.h"
#include "tests/integration/bind_server.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert {
namespace {

using testing::ProcessResult;

const std::string kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
const std::string kWrongSecret = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3JvbmctMTI=";
const std::string kName = "dane.example.test";
constexpr int kTtl = 2;

class DaneRolloverBind : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::BindServer::available() || ::access("/usr/bin/nsupdate", X_OK) != 0 ||
        ::access("/usr/bin/dig", X_OK) != 0)
      GTEST_SKIP() << "bind9, bind9-dnsutils (nsupdate, dig) are not installed";
    bind_ = std::make_unique<testing::BindServer>(testing::BindOptions{.tsig_secret = kSecret});
    write_key(kSecret);
    write_config((dir_ / "tsig.key").string());
  }

  void write_key(const std::string& secret) {
    testing::write_text(dir_ / "tsig.key", testing::tsig_key_text(secret));
    ::chmod((dir_ / "tsig.key").c_str(), 0600);
  }
  void write_config(const std::string& key_file, const std::string& validity = "1h") {
    nlohmann::json dane = {{"publish", "rfc2136"},
                           {"ports", {5269, 5222}},
                           {"ttl", kTtl},
                           {"server", "127.0.0.1"},
                           {"port", bind_->port()},
                           {"key_file", key_file},
                           {"zone", "example.test"},
                           {"srv_targets", {"xmpp.example.test"}}};
    nlohmann::json certificate = {{"validity", validity},
                                  {"dane", dane},
                                  {"posh", {{"dir", (dir_ / "posh").string()}, {"expires", "1h"}}}};
    nlohmann::json config = {{"state_dir", (dir_ / "state").string()},
                             {"certificates", {{kName, certificate}}}};
    testing::write_text(dir_ / "xmppcert.json", config.dump(2));
  }
  ProcessResult xmppcert(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((dir_ / "xmppcert.json").string());
    return testing::run_xmppcert(args);
  }
  std::vector<std::string> tlsa(const std::string& port, const std::string& name = kName) {
    ProcessResult r = testing::run_process({"dig", "+short", "-p", std::to_string(bind_->port()),
                                            "@127.0.0.1", "_" + port + "._tcp." + name, "TLSA"});
    auto hashes = parse_dig_tlsa(r.out);
    std::sort(hashes.begin(), hashes.end());
    return hashes;
  }
  bool in_dns(const std::string& hash) {
    for (const char* port : {"5269", "5222"})
      for (const char* name : {kName.c_str(), "xmpp.example.test"}) {  // domain and SRV target
        auto set = tlsa(port, name);
        if (std::find(set.begin(), set.end(), hash) == set.end()) return false;
      }
    return true;
  }
  int current_version() {
    auto record = StateDirStore(dir_ / "state").load(kName);
    return record ? record->current_version : 0;
  }
  X509Ptr served() {
    auto path =
        dir_ / "state" / "certs" / kName / ("v" + std::to_string(current_version())) / "cert.pem";
    return parse_certificate(read_file(path), path.string());
  }
  std::string served_key() { return spki_sha256_hex(served().get()); }
  std::string next_key() {
    auto path = dir_ / "state" / "certs" / kName / "next-key.pem";
    return spki_sha256_hex(load_private_key(read_file(path), path.string()).get());
  }
  std::string posh_fingerprint() {
    auto document = nlohmann::json::parse(read_file(dir_ / "posh" / "xmpp-server.json"));
    return document["fingerprints"][0]["sha-256"].get<std::string>();
  }
  void expect_served_key_published_and_posh_fresh() {
    EXPECT_TRUE(in_dns(served_key())) << "the served key must always be in the TLSA RRset";
    EXPECT_TRUE(in_dns(next_key())) << "and the next one";
    EXPECT_EQ(posh_fingerprint(), certificate_sha256_base64(served().get()));
    EXPECT_EQ(read_file(dir_ / "posh" / "xmpp-client.json"),
              read_file(dir_ / "posh" / "xmpp-server.json"));
  }
  // The 2 x TTL the rollover waits is our own rule, counted from the times its state keeps
  // in the record (dane/dane_rollover.h): moving them back by 2 x TTL is the wait, seen from
  // the CLI. BIND, asked directly, is authoritative: no cache of its own expires meanwhile.
  void pass_two_ttls() {
    StateDirStore store(dir_ / "state");
    CertificateRecord record = store.load(kName).value();
    DaneState state = dane_state_of(record).value();
    for (std::time_t* time :
         {&state.published_at, &state.next_visible_since, &state.retire_at, &state.last_query})
      if (*time) *time -= 2 * kTtl + 1;
    set_dane_state(record, state);
    store.save(record);
  }

  void TearDown() override { stop_agent(); }
  void stop_agent() {
    if (agent_ <= 0) return;
    ::kill(agent_, SIGTERM);
    int status = 0;
    ::waitpid(agent_, &status, 0);
    agent_ = -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::BindServer> bind_;
  pid_t agent_ = -1;
};

TEST_F(DaneRolloverBind, ThreeKeyChangesInARowKeepTheServedKeyInTheTlsaRRset) {
  ProcessResult first = xmppcert({"enroll"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(current_version(), 1);
  expect_served_key_published_and_posh_fresh();
  EXPECT_EQ(testing::file_mode(dir_ / "state" / "certs" / kName / "next-key.pem"), 0600u);

  // Straight away: the next key's record is visible, but not yet for 2 x TTL.
  ProcessResult early = xmppcert({"renew", "--force"});
  EXPECT_EQ(early.exit_code, 0) << early.err;
  EXPECT_NE(early.out.find("waiting to switch keys"), std::string::npos) << early.out;
  EXPECT_EQ(current_version(), 1) << "no switch before 2 x TTL";
  ProcessResult status = xmppcert({"status", kName});
  EXPECT_NE(status.out.find("waiting to switch keys"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("TLSA next:"), std::string::npos) << status.out;

  for (int round = 2; round <= 4; ++round) {
    SCOPED_TRACE("renewal " + std::to_string(round - 1));
    std::string before = served_key();
    std::string before_posh = certificate_sha256_base64(served().get());
    std::string next = next_key();
    pass_two_ttls();
    ProcessResult r = xmppcert({"renew", "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_EQ(current_version(), round) << r.out;
    EXPECT_EQ(served_key(), next) << "the renewal switched to the pre-published key";
    EXPECT_NE(next_key(), next) << "and generated a new next key";
    expect_served_key_published_and_posh_fresh();
    EXPECT_TRUE(in_dns(before)) << "the retired key stays for 2 x TTL";
    auto posh = nlohmann::json::parse(read_file(dir_ / "posh" / "xmpp-server.json"));
    ASSERT_EQ(posh["fingerprints"].size(), 2u) << "served and previous certificate";
    EXPECT_EQ(posh["fingerprints"][1]["sha-256"], before_posh);
    EXPECT_EQ(tlsa("5269").size(), 3u);
  }

  // After 2 x TTL a turn with nothing due removes the retired key's record.
  std::string served_now = served_key();
  pass_two_ttls();
  ProcessResult tidy = xmppcert({"renew"});
  EXPECT_EQ(tidy.exit_code, 0) << tidy.err;
  std::vector<std::string> expected{served_now, next_key()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(tlsa("5269"), expected);
  EXPECT_EQ(tlsa("5222"), expected);
  EXPECT_EQ(tlsa("5269", "xmpp.example.test"), expected);
  auto json = nlohmann::json::parse(xmppcert({"status", "--json"}).out);
  EXPECT_EQ(json[0]["dane"]["current"], served_now);
  EXPECT_EQ(json[0]["dane"]["retired"], "");
}

TEST_F(DaneRolloverBind, ABadTsigKeyFailsWithExitOneAndRemovesNothing) {
  ASSERT_EQ(xmppcert({"enroll"}).exit_code, 0);
  pass_two_ttls();
  ASSERT_EQ(xmppcert({"renew", "--force"}).exit_code, 0);
  ASSERT_EQ(current_version(), 2);
  std::string served = served_key();
  std::vector<std::string> before = tlsa("5269");
  ASSERT_EQ(before.size(), 3u) << "current, next and the retired key";

  // BIND refuses the signature; the retired key's removal is due.
  write_key(kWrongSecret);
  pass_two_ttls();
  ProcessResult refused = xmppcert({"renew", "--force"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.err.find("RFC 2136 update at 127.0.0.1"), std::string::npos) << refused.err;
  EXPECT_EQ(tlsa("5269"), before) << "nothing removed";
  EXPECT_EQ(current_version(), 2);
  EXPECT_EQ(served_key(), served);

  // An unreadable key file: named in the error, nothing changed either.
  write_config((dir_ / "missing.key").string());
  ProcessResult unreadable = xmppcert({"renew", "--force"});
  EXPECT_EQ(unreadable.exit_code, 1);
  EXPECT_NE(unreadable.err.find("read TSIG key file " + (dir_ / "missing.key").string()),
            std::string::npos)
      << unreadable.err;
  EXPECT_EQ(tlsa("5269"), before);
  EXPECT_EQ(current_version(), 2);
  ProcessResult status = xmppcert({"status"});
  EXPECT_NE(status.out.find("last=FAILED"), std::string::npos) << status.out;

  // The right key again: the step that failed goes through.
  write_key(kSecret);
  write_config((dir_ / "tsig.key").string());
  ProcessResult fixed = xmppcert({"renew"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(tlsa("5269").size(), 2u);
  EXPECT_TRUE(in_dns(served));
  EXPECT_NE(xmppcert({"status"}).out.find("last=ok"), std::string::npos)
      << "the DANE failure is over";
}

// xmppcertd drives the rollover by itself: with a 15 s lifetime the renewal falls due at
// 10 s, after the next key's record has been visible for 2 x TTL (4 s), so it switches; the
// previous key's record goes 2 x TTL later, before the next renewal.
TEST_F(DaneRolloverBind, TheAgentSwitchesKeysAndRetiresTheOldRecordOnSchedule) {
  write_config((dir_ / "tsig.key").string(), "15s");
  agent_ = ::fork();
  if (agent_ == 0) {
    FILE* log = std::fopen((dir_ / "agent.log").c_str(), "w");
    if (log) {
      ::dup2(fileno(log), 1);
      ::dup2(fileno(log), 2);
    }
    ::execl(XMPPCERTD_BINARY, "xmppcertd", "--config", (dir_ / "xmppcert.json").c_str(), nullptr);
    ::_exit(127);
  }
  auto log = [&] { return read_file(dir_ / "agent.log"); };
  std::string first_key;
  bool issued = testing::eventually(
      [&] {
        if (current_version() != 1 || !in_dns(served_key())) return false;
        first_key = served_key();
        return true;
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(issued) << log();
  std::string next = issued ? next_key() : "";
  bool switched =
      testing::eventually([&] { return current_version() >= 2; }, std::chrono::seconds(20));
  EXPECT_TRUE(switched) << log();
  if (switched) {
    EXPECT_EQ(served_key(), next) << "the agent switched to the pre-published key";
    EXPECT_TRUE(in_dns(served_key()));
    EXPECT_TRUE(testing::eventually(
        [&] { return current_version() == 2 && !in_dns(first_key) && tlsa("5269").size() == 2; },
        std::chrono::seconds(8)))
        << "the retired record is removed after 2 x TTL\n"
        << log();
  }
  stop_agent();
  EXPECT_NE(log().find("switched to the next key"), std::string::npos) << log();
}

}  // namespace
}  // namespace xmppcert
