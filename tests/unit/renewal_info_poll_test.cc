// xmppcertd re-polls Renewal Information (RFC 9773 section 4.2): a window that moves earlier
// moves the renewal into it, a pick in the past renews at once, and the next poll follows
// Retry-After clamped to [1 min, 1 day]. The CA is a scripted ACME server; the certificate
// comes from the local CA (it carries the AKI that names it at the CA).
#include "renewal/renewal_info_poll.h"

#include <gtest/gtest.h>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/enroll.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/renewal_decision.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/acme/renewal_info.h"
#include "plugins/issuers/local/local_ca.h"
#include "renewal/schedule.h"
#include "tests/support/fake_issuer.h"
#include "tests/support/memory_store.h"
#include "tests/unit/scripted_http_server.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(RenewalInfoSchedule, RetryAfterIsClampedToOneMinuteAndOneDay) {
  EXPECT_EQ(renewal_info_poll_delay(std::chrono::seconds(5)).count(), 60);
  EXPECT_EQ(renewal_info_poll_delay(std::chrono::seconds(3600)).count(), 3600);
  EXPECT_EQ(renewal_info_poll_delay(std::chrono::seconds(9 * 86400)).count(), 86400);
  EXPECT_EQ(renewal_info_poll_delay(std::nullopt).count(), 6 * 3600);
}

// Issue 23 item 4: after an issuance the agent asks again when the CA said at issuance (the
// record keeps its Retry-After), so an emergency right after a renewal is not missed for 6 h.
TEST(RenewalInfoSchedule, TheFirstPollAfterAnIssuanceFollowsTheRetryAfterKeptInTheRecord) {
  CertificateRecord issued;
  issued.renewal_info_retry_after = 120;
  EXPECT_EQ(first_renewal_info_poll(issued, 1000), 1120);
  issued.renewal_info_retry_after = 5;  // clamped as every Retry-After
  EXPECT_EQ(first_renewal_info_poll(issued, 1000), 1060);
  issued.renewal_info_retry_after = 0;  // none given: the default
  EXPECT_EQ(first_renewal_info_poll(issued, 1000), 1000 + 6 * 3600);
}

TEST(RenewalInfoSchedule, APickInsideTheWindowStaysAndOneOutsideMovesIntoIt) {
  EXPECT_EQ(renewal_time_in_window(150, 100, 200, 7), 150);
  EXPECT_EQ(renewal_time_in_window(500, 100, 200, 7), 107);
  EXPECT_EQ(renewal_time_in_window(500, 100, 200, 101), 100);
  EXPECT_EQ(renewal_time_in_window(500, 100, 100, 7), 100);
}

std::string window_json(std::time_t start, std::time_t end) {
  return R"({"suggestedWindow": {"start": ")" + format_utc(start) + R"(", "end": ")" +
         format_utc(end) + R"("}})";
}

class RenewalInfoPollTest : public ::testing::Test {
 public:  // the racing issuer below issues through it
  void SetUp() override {
    set_log_sink([this](const std::string& line) { log_ += line + "\n"; });
    request_.name = "a.example.test";
    request_.domains = {"a.example.test"};
    request_.validity = std::chrono::hours(6);
  }
  void TearDown() override { set_log_sink(nullptr); }

  CertificateRecord issue(std::time_t now) {
    return enroll_certificate(store_, request_, ca_, nullptr, now);
  }

  TempDir dir_;
  testing::MemoryStore store_{dir_ / "versions"};
  LocalCa ca_{LocalCa::dir_in(dir_ / "state")};
  CertificateRequest request_;
  std::string log_;
};

TEST_F(RenewalInfoPollTest, AWindowMovedEarlierIsFollowedAndTheRenewalHappensInsideIt) {
  std::time_t now = std::time(nullptr);
  CertificateRecord first = issue(now);
  // First the CA suggests a window near the end of the 6 h; then it moves it earlier, to now.
  const std::time_t late_start = now + 4 * 3600, late_end = now + 5 * 3600;
  const std::time_t early_start = now - 30, early_end = now + 2;
  const std::string directory = R"({"newNonce": "{{BASE}}/nonce", "renewalInfo": "{{BASE}}/ari"})";
  ScriptedHttpServer server({
      {200, {}, directory},
      {200, {"Retry-After: 5"}, window_json(late_start, late_end)},
      {200, {}, directory},
      {200, {"Retry-After: 172800"}, window_json(early_start, early_end)},
  });
  acme::AcmeSettings settings;
  settings.directory = server.url("/dir");
  acme::AcmeIssuer issuer(settings, dir_ / "state");
  RenewalInfoPoll poll{store_, dir_ / "state", std::chrono::seconds(5)};

  std::optional<std::time_t> next = poll_renewal_info(poll, request_, issuer, now);
  ASSERT_TRUE(next) << log_;
  EXPECT_EQ(*next, now + 60) << "Retry-After: 5 is raised to one minute";
  CertificateRecord record = *store_.load(request_.name);
  EXPECT_GE(record.next_renewal, late_start);
  EXPECT_LE(record.next_renewal, late_end);
  EXPECT_GT(next_action(&record, request_, now), now) << "not due yet";

  next = poll_renewal_info(poll, request_, issuer, now + 60);
  ASSERT_TRUE(next) << log_;
  EXPECT_EQ(*next, now + 60 + 86400) << "Retry-After: 2 days is lowered to one day";
  record = *store_.load(request_.name);
  EXPECT_GE(record.next_renewal, early_start);
  EXPECT_LE(record.next_renewal, early_end);
  EXPECT_EQ(server.request_lines().back(),
            "GET /ari/" +
                acme::renewal_certificate_id(
                    parse_certificate(read_file(store_.version(request_.name, 1).cert_path()), "v1")
                        .get()));

  // The agent acts at the record's time, which now lies inside the new window.
  std::time_t act_at = std::max(now, next_action(&record, request_, now));
  EXPECT_LE(act_at, early_end);
  EXPECT_TRUE(decide_renewal(&record, request_, act_at, false).due);
  CertificateRecord renewed = issue(act_at);
  EXPECT_EQ(renewed.current_version, first.current_version + 1);
  EXPECT_GE(renewed.last_success, early_start);
  EXPECT_LE(renewed.last_success, early_end);
}

TEST_F(RenewalInfoPollTest, AdviceAboutACertificateRenewedMeanwhileIsDropped) {
  std::time_t now = std::time(nullptr);
  issue(now);
  CertificateRecord before = *store_.load(request_.name);

  // An issuer whose answer arrives after another process renewed the certificate.
  FakeIssuer issuer("racing");
  issuer.advice = [this](X509*) {
    issue(std::time(nullptr));
    return RenewalAdvice{0, 10, std::nullopt};
  };
  RenewalInfoPoll poll{store_, dir_ / "state", std::chrono::seconds(5)};
  EXPECT_EQ(poll_renewal_info(poll, request_, issuer, now), now + 6 * 3600);
  CertificateRecord after = *store_.load(request_.name);
  EXPECT_EQ(after.current_version, 2);
  EXPECT_NE(after.next_renewal, 0) << "the old certificate's window was not applied";
  EXPECT_GT(after.next_renewal, now);
}

// Issue 23 item 4: `xmppcert renew` on a timer does not wake up at a time picked inside a
// window that has begun (after `xmppcert-ca renew-now --within 1h`): it renews at this run.
// xmppcertd, which does wake up at its pick, keeps a pick in the window's future.
TEST_F(RenewalInfoPollTest, ARunOfRenewTakesAWindowThatHasBegunAtOnce) {
  std::time_t now = std::time(nullptr);
  issue(now);
  FakeIssuer issuer("moved");
  issuer.advice = [now](X509*) { return RenewalAdvice{now - 1, now + 3600, std::nullopt}; };
  RenewalInfoPoll once{store_, dir_ / "state", std::chrono::seconds(5), true};
  ASSERT_TRUE(poll_renewal_info(once, request_, issuer, now));
  CertificateRecord record = *store_.load(request_.name);
  EXPECT_EQ(record.next_renewal, now);
  EXPECT_TRUE(decide_renewal(&record, request_, now, false).due);
  EXPECT_EQ(record.renewal_window_start, now - 1) << "status shows the window";
  EXPECT_EQ(record.renewal_window_end, now + 3600);
  EXPECT_EQ(record.next_renewal_info_poll, now + 6 * 3600) << "no Retry-After: the default";
}

// A hostile or broken CA moves the window past the certificate's expiry: followed, the
// certificate would lapse unrenewed. The window is ignored and the renewal time kept.
TEST_F(RenewalInfoPollTest, AWindowEndingAfterExpiryIsIgnored) {
  std::time_t now = std::time(nullptr);
  CertificateRecord issued = issue(now);
  FakeIssuer issuer("late");
  issuer.advice = [now](X509*) {
    return RenewalAdvice{now + 5 * 3600, now + 30 * 86400, std::nullopt};
  };
  RenewalInfoPoll poll{store_, dir_ / "state", std::chrono::seconds(5)};
  EXPECT_TRUE(poll_renewal_info(poll, request_, issuer, now));
  EXPECT_EQ(store_.load(request_.name)->next_renewal, issued.next_renewal);
  EXPECT_NE(log_.find("ignored: it ends after the certificate expires"), std::string::npos) << log_;
}

TEST_F(RenewalInfoPollTest, AnIssuerWithoutRenewalInfoStopsThePolling) {
  std::time_t now = std::time(nullptr);
  issue(now);
  RenewalInfoPoll poll{store_, dir_ / "state", std::chrono::seconds(5)};
  EXPECT_EQ(poll_renewal_info(poll, request_, ca_, now), std::nullopt);
}

}  // namespace
}  // namespace xmppcert::testing
