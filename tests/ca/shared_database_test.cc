// Two instances of one CA on one database, in this process on the fake clock: the CRL is
// signed by one instance at a time (whichever holds the signer's advisory lock) and served
// alike by all, refreshed a day after the last one long before its nextUpdate; the rate limits
// count what every instance did, since they live in the database. On PostgreSQL (the shared
// server of this test binary: several instances are what PostgreSQL is for) and,
// for what one instance shows, on both.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ca/crl.h"
#include "tests/ca/in_process_ca.h"

namespace xmppcert::testing {
namespace {

using nlohmann::json;
using Outcome = FakeValidator::Outcome;
constexpr std::time_t kHour = 3600;
constexpr std::time_t kDay = 86400;
// ra/revocation.cc's lock name: a test holding it stands for an instance that is signing.
constexpr const char* kCrlSignerLock = "crl-signer";

class TwoInstances : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = backend_missing(Backend::kPostgres); !missing.empty())
      GTEST_SKIP() << missing;
  }
  void start(ca::ServiceOptions options = {}) {
    a_ = std::make_unique<InProcessCa>(options, Backend::kPostgres);
    b_ = std::make_unique<InProcessCa>(options, *a_);
  }
  void TearDown() override {
    b_.reset();
    a_.reset();
  }
  // A certificate for `domain` through `ca`; the finalize reply.
  Reply issue(InProcessCa& ca, ClientAccount& account, const std::string& domain) {
    Reply order = ca.new_order(account, {domain});
    if (order.status != 201) return order;
    ca.answer_challenges(account, order.body);
    return ca.finalize(account, order.body);
  }
  std::unique_ptr<InProcessCa> a_, b_;
};

TEST_F(TwoInstances, BothServeTheOneCrlTheFirstSignedAndNeitherSignsItAgain) {
  start();
  std::string from_a = a_->get("/crl").raw;
  std::string from_b = b_->get("/crl").raw;
  EXPECT_EQ(from_a, from_b);  // byte for byte: b did not sign one of its own
  EXPECT_FALSE(a_->service().refresh_crl_if_due());
  EXPECT_FALSE(b_->service().refresh_crl_if_due());
  EXPECT_EQ(read_crl(b_->get("/crl").raw).number, read_crl(from_a).number);
}

TEST_F(TwoInstances, WhileAnotherHoldsTheSignersLockAnInstanceServesTheStoredCrlAndSignsAfter) {
  start();
  CrlSeen first = read_crl(a_->get("/crl").raw);
  a_->clock.advance(kDay + 60);  // due for its daily refresh
  auto signer = a_->connect();   // the instance signing right now
  signer->run_exclusively(kCrlSignerLock, false, [&] {
    EXPECT_FALSE(b_->service().refresh_crl_if_due());
    EXPECT_FALSE(a_->service().refresh_crl_if_due());
    EXPECT_EQ(read_crl(b_->get("/crl").raw).number, first.number);  // still days from nextUpdate
  });
  EXPECT_TRUE(b_->service().refresh_crl_if_due());
  CrlSeen next = read_crl(a_->get("/crl").raw);
  EXPECT_EQ(next.number, first.number + 1);
  EXPECT_EQ(next.last_update, a_->clock.now());
  EXPECT_EQ(a_->get("/crl").raw, b_->get("/crl").raw);
}

TEST_F(TwoInstances, InstancesRefreshingAtOnceSignExactlyOneNewCrl) {
  start();
  CrlSeen first = read_crl(a_->get("/crl").raw);
  a_->clock.advance(kDay + 60);
  std::atomic<int> signed_ones = 0;
  std::vector<std::thread> refreshers;
  for (InProcessCa* ca : {a_.get(), b_.get(), a_.get(), b_.get()})
    refreshers.emplace_back([&, ca] { signed_ones += ca->service().refresh_crl_if_due(); });
  for (auto& refresher : refreshers) refresher.join();
  EXPECT_EQ(signed_ones.load(), 1);
  EXPECT_EQ(read_crl(b_->get("/crl").raw).number, first.number + 1);
}

TEST_F(TwoInstances, CrlStaysCurrentForAMonthWhicheverInstanceRefreshesIt) {
  start();
  CrlSeen last = read_crl(a_->get("/crl").raw);
  for (int day = 0; day < 30; ++day) {
    a_->clock.advance(kDay);
    (day % 2 ? a_ : b_)->service().refresh_crl_if_due();  // what serve's timer does
    for (InProcessCa* ca : {a_.get(), b_.get()}) {
      CrlSeen seen = read_crl(ca->get("/crl").raw);
      EXPECT_GE(seen.next_update - a_->clock.now(), ca::kCrlNextUpdate - ca::kCrlRefreshAfter);
      EXPECT_GE(seen.number, last.number);
      last = seen;
    }
  }
}

TEST_F(TwoInstances, ARevocationOnOneIsInTheCrlOfTheOther) {
  start();
  ClientAccount account = a_->new_account();
  Reply done = issue(*a_, account, "revoked.example.test");
  ASSERT_EQ(done.status, 200) << done.raw;
  CrlSeen before = read_crl(b_->get("/crl").raw);
  std::string serial = path_of(done.body["certificate"]).substr(std::string("/acme/cert/").size());
  a_->storage().revoke_certificate(serial, 1, a_->clock.now());  // as `xmppcert-ca revoke` does
  std::string der = b_->get("/crl").raw;
  EXPECT_EQ(read_crl(der).number, before.number + 1);
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &cursor, static_cast<long>(der.size()));
  ASSERT_NE(crl, nullptr);
  EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
  X509_CRL_free(crl);
}

TEST_F(TwoInstances, CertificatesPerHourAreCountedAcrossInstances) {
  start({.certificates_per_account_per_hour = 2});
  ClientAccount account = a_->new_account();
  ASSERT_EQ(issue(*a_, account, "one.example.test").status, 200);
  ASSERT_EQ(issue(*b_, account, "two.example.test").status, 200);
  for (InProcessCa* ca : {a_.get(), b_.get()}) {
    Reply refused = ca->new_order(account, {"three.example.test"}, 429);
    EXPECT_EQ(refused.problem(), "rateLimited");
    EXPECT_TRUE(refused.header("Retry-After"));
  }
  a_->clock.advance(kHour + 1);
  EXPECT_EQ(issue(*b_, account, "three.example.test").status, 200);
}

TEST_F(TwoInstances, OrdersReadyOnBothInstancesCannotExceedTheLimitAtFinalize) {
  start({.certificates_per_account_per_hour = 1});
  ClientAccount account = a_->new_account();
  Reply first = a_->new_order(account, {"first.example.test"});
  Reply second = b_->new_order(account, {"second.example.test"});
  a_->answer_challenges(account, first.body);
  b_->answer_challenges(account, second.body);
  EXPECT_EQ(a_->finalize(account, first.body).status, 200);
  Reply refused = b_->finalize(account, second.body);
  EXPECT_EQ(refused.status, 429) << refused.raw;
  EXPECT_EQ(refused.problem(), "rateLimited");
  EXPECT_EQ(a_->storage().certificates().size(), 1u);
}

TEST_F(TwoInstances, FailedValidationsPerHourAreCountedAcrossInstances) {
  start({.failed_validations_per_account_per_hour = 2});
  ClientAccount account = a_->new_account();
  for (auto [ca, domain] : {std::pair{a_.get(), "bad1.example.test"},
                            std::pair{b_.get(), "bad2.example.test"}}) {
    ca->validator.set(domain, Outcome::kInvalid);
    Reply order = ca->new_order(account, {domain});
    ca->answer_challenges(account, order.body);
  }
  Reply order = b_->new_order(account, {"good.example.test"});
  std::string authz = path_of(order.body["authorizations"][0]);
  Reply refused = a_->post(
      account, "/acme/chall/" + authz.substr(std::string("/acme/authz/").size()) + "/http-01", "{}");
  EXPECT_EQ(refused.status, 429) << refused.raw;
  EXPECT_EQ(refused.problem(), "rateLimited");
  a_->clock.advance(kHour + 1);
  b_->answer_challenges(account, order.body);
  EXPECT_EQ(b_->post(account, order.body["url"], "").body["status"], "ready");
}

TEST_F(TwoInstances, AValidationRunningOnOneCountsAsFailedOnTheOther) {
  start({.failed_validations_per_account_per_hour = 1});
  ClientAccount account = a_->new_account();
  a_->validator.set("slow.example.test", Outcome::kHeld);
  Reply slow = a_->new_order(account, {"slow.example.test"});
  std::string slow_authz = path_of(slow.body["authorizations"][0]);
  a_->post(account,
           "/acme/chall/" + slow_authz.substr(std::string("/acme/authz/").size()) + "/http-01",
           "{}");
  Reply other = b_->new_order(account, {"other.example.test"});
  std::string authz = path_of(other.body["authorizations"][0]);
  Reply refused = b_->post(
      account, "/acme/chall/" + authz.substr(std::string("/acme/authz/").size()) + "/http-01", "{}");
  EXPECT_EQ(refused.status, 429) << refused.raw;
  a_->validator.release("slow.example.test", Outcome::kValid);
  EXPECT_TRUE(eventually([&] { return a_->post(account, slow_authz, "").body["status"] == "valid"; },
                         std::chrono::seconds(10)));
  b_->answer_challenges(account, other.body);  // the success gave its slot back
  EXPECT_EQ(b_->post(account, authz, "").body["status"], "valid");
}

// One instance on either backend: the same limits, on the RA's clock, and kept across a
// restart.
class RateLimitsInTheDatabase : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto missing = backend_missing(GetParam()); !missing.empty()) GTEST_SKIP() << missing;
  }
};

TEST_P(RateLimitsInTheDatabase, SurviveARestartAndExpireAfterAnHourOnTheClock) {
  ca::ServiceOptions options{.certificates_per_account_per_hour = 1};
  auto first = std::make_unique<InProcessCa>(options, GetParam());
  ClientAccount account = first->new_account();
  Reply order = first->new_order(account, {"once.example.test"});
  first->answer_challenges(account, order.body);
  ASSERT_EQ(first->finalize(account, order.body).status, 200);
  {
    InProcessCa restarted(options, *first);  // the same state dir and database
    EXPECT_EQ(restarted.new_order(account, {"twice.example.test"}, 429).problem(), "rateLimited");
    restarted.clock.advance(kHour + 1);
    restarted.new_order(account, {"twice.example.test"}, 201);
  }
}

INSTANTIATE_TEST_SUITE_P(Storage, RateLimitsInTheDatabase,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return backend_name(info.param); });

}  // namespace
}  // namespace xmppcert::testing
