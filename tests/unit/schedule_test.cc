// When xmppcertd acts next on a certificate.
#include "renewal/schedule.h"

#include <gtest/gtest.h>

#include "dane/dane_settings.h"
#include "dane/dane_state.h"
#include "engine/renewal_decision.h"
#include "tests/support/issued_record.h"

namespace xmppcert::testing {
namespace {

// As the store writes one: with its identities and renewal time.
CertificateRecord scheduled_record(std::time_t not_before, std::time_t not_after) {
  CertificateRecord record = issued_record(not_before, not_after);
  record.certificate.identities = identities_of(record.request);
  record.next_renewal = not_before + (not_after - not_before) * 2 / 3;
  return record;
}

TEST(Schedule, ANeverIssuedCertificateIsActedOnNow) {
  CertificateRequest request;
  request.name = "example.org";
  request.domains = {"example.org"};
  EXPECT_EQ(next_action(nullptr, request, 1000), 1000);
}

TEST(Schedule, AnIssuedCertificateWaitsForTheRenewalTimeItsRecordShows) {
  CertificateRecord record = scheduled_record(0, 90 * 86400);
  record.next_renewal += renewal_jitter(record.name, 0, 90 * 86400);  // as enroll stores it
  EXPECT_EQ(next_action(&record, record.request, 86400), record.next_renewal);
}

TEST(Schedule, TheJitterIsAtMostOnePercentOfTheLifetimeAndFixedPerName) {
  std::time_t jitter = renewal_jitter("example.org", 0, 90 * 86400);
  EXPECT_GE(jitter, 0);
  EXPECT_LT(jitter, 90 * 864);
  EXPECT_EQ(jitter, renewal_jitter("example.org", 0, 90 * 86400));
}

// Issue 23 item 9: `xmppcert status` shows the time xmppcertd computes, so the backoff's
// jitter is fixed per certificate and failure count, not drawn anew at each call.
TEST(Schedule, TheEndOfABackoffIsTheSameEachTimeItIsComputed) {
  CertificateRecord record = scheduled_record(0, 90 * 86400);
  record.consecutive_failures = 4;
  record.last_attempt = Attempt{70 * 86400, false, "issuer down"};
  std::time_t first = next_action(&record, record.request, 70 * 86400);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(next_action(&record, record.request, 70 * 86400), first);
  EXPECT_GE(first, 70 * 86400 + 216);  // 240 s +-10%
  EXPECT_LE(first, 70 * 86400 + 264);
}

TEST(Schedule, AChangedRequestIsActedOnNow) {
  CertificateRecord record = scheduled_record(0, 90 * 86400);
  CertificateRequest wanted = record.request;
  wanted.components = {"conference"};
  EXPECT_EQ(next_action(&record, wanted, 86400), 86400);
}

TEST(Schedule, FailuresBackOffExponentiallyUpToSixHours) {
  EXPECT_EQ(retry_delay(1, 0.0).count(), 30);
  EXPECT_EQ(retry_delay(2, 0.0).count(), 60);
  EXPECT_EQ(retry_delay(5, 0.0).count(), 480);
  EXPECT_EQ(retry_delay(40, 0.0).count(), 6 * 3600);
  EXPECT_EQ(retry_delay(3, 1.0).count(), 132);  // +10% jitter at most
  CertificateRecord record = scheduled_record(0, 90 * 86400);
  record.consecutive_failures = 3;
  record.last_attempt = Attempt{70 * 86400, false, "issuer down"};
  std::time_t next = next_action(&record, record.request, 70 * 86400);
  EXPECT_GE(next, 70 * 86400 + 108);
  EXPECT_LE(next, 70 * 86400 + 132);
}

}  // namespace
}  // namespace xmppcert::testing

namespace xmppcert::testing {
namespace {

// Under DANE the agent comes back for the rollover's own steps, and a due renewal that waits
// for the next key's TLSA record comes back when the switch becomes ready, not at once.
TEST(Schedule, PendingDaneStepsComeBeforeTheRenewalTime) {
  CertificateRecord record = scheduled_record(0, 90 * 86400);
  DaneSettings settings;
  settings.ttl = std::chrono::seconds(60);
  set_dane_settings(record.request, settings);
  const std::string current(64, 'a'), next(64, 'b'), retired(64, 'c');
  DaneState state{current, next, {current, next, retired}, 1000, 1000, retired, 5000, 0, {}};
  set_dane_state(record, state);
  EXPECT_EQ(next_action(&record, record.request, 2000), 5000) << "the retired key's removal";
  state.retired.clear();
  state.published = {current, next};
  set_dane_state(record, state);
  EXPECT_EQ(next_action(&record, record.request, 2000),
            record.next_renewal + renewal_jitter(record.name, 0, 90 * 86400));
  std::time_t due = record.next_renewal + 1;
  state.next_visible_since = due - 10;
  set_dane_state(record, state);
  EXPECT_EQ(next_action(&record, record.request, due), due - 10 + 120)
      << "waits for 2 x TTL after the next key was seen";
  state.next_visible_since = 0;
  state.last_query = due;
  set_dane_state(record, state);
  EXPECT_EQ(next_action(&record, record.request, due), due + 60) << "asks DNS again";
}

}  // namespace
}  // namespace xmppcert::testing
