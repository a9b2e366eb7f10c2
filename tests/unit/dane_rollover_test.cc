// The TLSA rollover state machine against a fake DNS (a publisher that edits an in-memory
// RRset, a resolver that answers from it after a delay) and a clock the test moves.
#include "dane/dane_rollover.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "dane/dane_plan.h"
#include "engine/errors.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

constexpr std::chrono::seconds kTtl{60};
const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c'), kD(64, 'd');

// One zone: what the primary holds, and what a resolver sees `lag` seconds later.
struct FakeDns : TlsaPublisher, TlsaResolver {
  std::time_t* clock = nullptr;
  std::time_t lag = 0;
  bool refuse = false;
  int changes = 0;
  std::map<std::string, std::set<std::string>> zone;
  std::vector<std::pair<std::time_t, std::map<std::string, std::set<std::string>>>> history;

  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds) override {
    if (refuse) throw OperationError("RFC 2136 update at 127.0.0.1:53: REFUSED");
    ++changes;
    for (const auto& owner : owners) {
      for (const auto& hash : remove) zone[owner].erase(hash);
      for (const auto& hash : add) zone[owner].insert(hash);
    }
    history.emplace_back(*clock, zone);
  }
  std::vector<std::string> spki_hashes(const std::string& owner) override {
    std::map<std::string, std::set<std::string>> seen;
    for (const auto& [when, snapshot] : history)
      if (when + lag <= *clock) seen = snapshot;
    return {seen[owner].begin(), seen[owner].end()};
  }
  std::set<std::string> at(const std::string& owner) { return zone[owner]; }
};

class DaneRollover : public ::testing::Test {
 protected:
  std::time_t now = 1'800'000'000;
  FakeDns dns;
  TlsaRollover rollover{
      "example.org", {"_5269._tcp.example.org.", "_5222._tcp.example.org."}, kTtl, dns, dns};
  DaneState state;
  void SetUp() override { dns.clock = &now; }
  void step() { sync_tlsa(state, rollover, now); }
};

TEST_F(DaneRollover, OwnersAreOnePerNameAndPort) {
  EXPECT_EQ(tlsa_owners({"example.org", "conference.example.org"}, {5269, 5222}),
            (std::vector<std::string>{"_5269._tcp.example.org.", "_5222._tcp.example.org.",
                                      "_5269._tcp.conference.example.org.",
                                      "_5222._tcp.conference.example.org."}));
}

TEST_F(DaneRollover, PublishesCurrentAndNextInOneChange) {
  state.current = kA;
  state.next = kB;
  step();
  EXPECT_EQ(dns.changes, 1);
  EXPECT_EQ(dns.at("_5269._tcp.example.org."), (std::set<std::string>{kA, kB}));
  EXPECT_EQ(dns.at("_5222._tcp.example.org."), (std::set<std::string>{kA, kB}));
  EXPECT_EQ(state.published_at, now);
  step();
  EXPECT_EQ(dns.changes, 1) << "nothing to change the second time";
}

TEST_F(DaneRollover, VisibilityIsQueriedNotAssumed) {
  dns.lag = 30;  // the resolver sees the change 30 s later
  state.current = kA;
  state.next = kB;
  step();
  EXPECT_EQ(state.next_visible_since, 0) << "published, but not yet seen";
  EXPECT_FALSE(next_key_switch(state, kTtl, now).ready);
  EXPECT_NE(next_key_switch(state, kTtl, now).reason.find("not visible"), std::string::npos);
  now += 30;
  step();
  EXPECT_EQ(state.next_visible_since, now);
}

TEST_F(DaneRollover, SwitchWaitsForTwoTtlsAfterTheNextKeyWasSeen) {
  state.current = kA;
  state.next = kB;
  step();
  std::time_t seen = state.next_visible_since;
  ASSERT_EQ(seen, now);
  now = seen + 2 * kTtl.count() - 1;
  KeySwitch early = next_key_switch(state, kTtl, now);
  EXPECT_FALSE(early.ready);
  EXPECT_NE(early.reason.find("2 x TTL"), std::string::npos) << early.reason;
  now = seen + 2 * kTtl.count();
  EXPECT_TRUE(next_key_switch(state, kTtl, now).ready);
}

TEST_F(DaneRollover, ThreeSwitchesInARowAlwaysKeepTheServedKeyInDns) {
  dns.lag = 1;
  state.current = kA;
  state.next = kB;
  step();
  std::string served = kA;
  for (const std::string& next_hash : {kC, kD, std::string(64, 'e')}) {
    now += 1;
    step();  // the next key is seen
    now += 2 * kTtl.count();
    step();
    ASSERT_TRUE(next_key_switch(state, kTtl, now).ready);
    served = state.next;
    switch_to_next_key(state, next_hash, kTtl, now);
    step();
    EXPECT_TRUE(dns.at("_5269._tcp.example.org.").count(served));
    EXPECT_TRUE(dns.at("_5269._tcp.example.org.").count(state.retired)) << "the old key stays";
    EXPECT_TRUE(dns.at("_5269._tcp.example.org.").count(next_hash));
    EXPECT_EQ(*next_tlsa_step(state, kTtl, now), now + tlsa_query_interval(kTtl).count());
    now += 1;
    step();  // the new next key is seen
    EXPECT_EQ(*next_tlsa_step(state, kTtl, now), state.retire_at);
    now = state.retire_at;
    step();
    EXPECT_EQ(dns.at("_5269._tcp.example.org."), (std::set<std::string>{served, next_hash}))
        << "the retired key's record is removed after 2 x TTL";
    EXPECT_TRUE(state.retired.empty());
  }
  // At no time did the RRset hold fewer than two keys (current and next).
  for (const auto& [when, zone] : dns.history)
    EXPECT_GE(zone.at("_5269._tcp.example.org.").size(), 2u);
}

TEST_F(DaneRollover, ARefusedUpdateChangesNothingAndRemovesNothing) {
  state.current = kA;
  state.next = kB;
  step();
  switch_to_next_key(state, kC, kTtl, now);
  now = state.retire_at;  // the retired key is due to go, and kC to come
  dns.refuse = true;
  DaneState before = state;
  EXPECT_NE(testing::error_message_of<OperationError>([&] { step(); }).find("REFUSED"),
            std::string::npos);
  EXPECT_EQ(state, before);
  EXPECT_EQ(dns.at("_5269._tcp.example.org."), (std::set<std::string>{kA, kB}));
}

CertificateRecord issued_record(std::time_t not_before, std::time_t not_after) {
  CertificateRecord record;
  record.name = "example.org";
  record.current_version = 1;
  record.certificate.not_before = not_before;
  record.certificate.not_after = not_after;
  return record;
}

TEST_F(DaneRollover, ADueRenewalWaitsForTheNextKeyUnlessExpiryIsNear) {
  DaneSettings settings;
  settings.ttl = kTtl;
  CertificateRecord record = issued_record(now - 60 * 86400, now + 30 * 86400);
  state.current = kA;
  state.next = kB;
  dns.lag = 1000;
  step();
  set_dane_state(record, state);
  DaneKeyPlan plan = plan_dane_key(record, settings, now);
  EXPECT_EQ(plan.choice, DaneKeyChoice::kWait);
  EXPECT_NE(plan.reason.find("waiting to switch keys"), std::string::npos) << plan.reason;
  EXPECT_EQ(*next_dane_action(record, settings, true, now),
            now + tlsa_query_interval(kTtl).count());

  std::time_t late = dane_wait_limit(record.certificate);
  EXPECT_EQ(plan_dane_key(record, settings, late).choice, DaneKeyChoice::kCurrent);

  now += 1000;
  step();
  set_dane_state(record, state);
  EXPECT_EQ(*next_dane_action(record, settings, true, now), now + 2 * kTtl.count())
      << "a waiting renewal comes back when the switch is ready";
  now += 2 * kTtl.count();
  EXPECT_EQ(plan_dane_key(record, settings, now).choice, DaneKeyChoice::kNext);
}

TEST_F(DaneRollover, StateSurvivesTheRecord) {
  state = {kA, kB, {kA, kB}, now, now + 5, kC, now + 100, now + 5, "waiting to switch keys: x"};
  EXPECT_EQ(dane_state_from_json(dane_state_to_json(state)), state);
}

}  // namespace
}  // namespace xmppcert
