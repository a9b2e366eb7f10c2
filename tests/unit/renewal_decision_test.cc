#include "engine/renewal_decision.h"

#include <gtest/gtest.h>

#include "tests/support/issued_record.h"

namespace xmppcert {
namespace {

using testing::issued_record;

TEST(RenewalPlan, RenewsWhenTwoThirdsOfLifetimeHavePassed) {
  auto record = issued_record(0, 90 * 86400);
  EXPECT_EQ(renewal_time(0, 90 * 86400), 60 * 86400);
  EXPECT_FALSE(decide_renewal(&record, record.request, 60 * 86400 - 1, false).due);
  EXPECT_TRUE(decide_renewal(&record, record.request, 60 * 86400, false).due);
}

TEST(RenewalPlan, RenewsWhenNothingWasIssuedYet) {
  CertificateRequest request;
  request.domains = {"example.org"};
  EXPECT_TRUE(decide_renewal(nullptr, request, 0, false).due);
}

TEST(RenewalPlan, RenewsAnExpiredCertificate) {
  auto record = issued_record(0, 100);
  auto decision = decide_renewal(&record, record.request, 200, false);
  EXPECT_TRUE(decision.due);
  EXPECT_NE(decision.reason.find("expired"), std::string::npos);
}

TEST(RenewalPlan, RenewsEarlyWhenForced) {
  auto record = issued_record(0, 90 * 86400);
  EXPECT_TRUE(decide_renewal(&record, record.request, 1, true).due);
}

TEST(RenewalPlan, RenewsEarlyWhenANameIsAdded) {
  auto record = issued_record(0, 90 * 86400);
  CertificateRequest wanted = record.request;
  wanted.components = {"conference"};
  auto decision = decide_renewal(&record, wanted, 1, false);
  EXPECT_TRUE(decision.due);
  EXPECT_NE(decision.reason.find("names"), std::string::npos);
}

TEST(RenewalPlan, RenewsEarlyWhenTheKeyTypeChanges) {
  auto record = issued_record(0, 90 * 86400);
  CertificateRequest wanted = record.request;
  wanted.key_type = KeyType::kRsa3072;
  EXPECT_TRUE(decide_renewal(&record, wanted, 1, false).due);
}

// Issue 23 item 2: `renew --force` failed while prosody was stopped; once it runs again the
// agent's (and the timer's) next try renews, instead of finding "not due" at every step.
TEST(RenewalPlan, AFailedAttemptIsTriedAgainEvenBeforeTheRenewalTime) {
  auto record = issued_record(0, 90 * 86400);
  record.consecutive_failures = 1;
  record.last_attempt = Attempt{100, false, "install v2 with prosody: reload failed"};
  auto decision = decide_renewal(&record, record.request, 200, false);
  EXPECT_TRUE(decision.due);
  EXPECT_NE(decision.reason.find("last attempt failed"), std::string::npos) << decision.reason;
  record.last_attempt->message = "DANE: TLSA update refused";  // the rollover retries it
  EXPECT_FALSE(decide_renewal(&record, record.request, 200, false).due);
}

TEST(RenewalPlan, ValidityChangeAloneWaitsForTheNextRenewal) {
  auto record = issued_record(0, 90 * 86400);
  CertificateRequest wanted = record.request;
  wanted.validity = std::chrono::hours(24);
  EXPECT_FALSE(decide_renewal(&record, wanted, 1, false).due);
}

}  // namespace
}  // namespace xmppcert
