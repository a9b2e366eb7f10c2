// RFC 8555 §7.1.6, in process on a fake clock: every status transition the RFC allows for
// accounts, orders, authorizations and challenges, and a refusal for each it does not.
// Transitions the CA never makes (an authorization "revoked" by the server, an account
// "revoked" by the server) have no test here. No binary, no network, no BIND.
#include <gtest/gtest.h>

#include "ca/crl.h"
#include "tests/ca/in_process_ca.h"

namespace xmppcert::testing {
namespace {

using nlohmann::json;
using Outcome = FakeValidator::Outcome;
constexpr std::time_t kDay = 86400;

// On both storage backends: a transition is a read-check-write of the SA's documents.
class CaStateMachine : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto missing = backend_missing(GetParam()); !missing.empty()) GTEST_SKIP() << missing;
  }
  // The CA is made before SetUp can skip: on SQLite when PostgreSQL is missing.
  static Backend usable(Backend backend) {
    return backend_missing(backend).empty() ? backend : Backend::kSqlite;
  }
  std::string status_of(const std::string& url) {
    return ca_.post(account_, url, "").body.value("status", "");
  }
  std::string authz_url(const json& order, size_t i = 0) { return order["authorizations"][i]; }
  std::string challenge_url(const std::string& authz, const std::string& type = "http-01") {
    return "/acme/chall/" + path_of(authz).substr(std::string("/acme/authz/").size()) + "/" +
           type;
  }
  json challenge_of(const std::string& authz, const std::string& type = "http-01") {
    Reply reply = ca_.post(account_, authz, "");  // kept: the loop reads into its body
    for (const auto& c : reply.body["challenges"])
      if (c["type"] == type) return c;
    return nullptr;
  }
  json ready_order(const std::string& domain) {
    json order = ca_.new_order(account_, {domain}).body;
    ca_.answer_challenges(account_, order);
    EXPECT_EQ(status_of(order["url"]), "ready");
    return order;
  }
  std::string order_id(const json& order) {
    return path_of(order["url"]).substr(std::string("/acme/order/").size());
  }

  InProcessCa ca_{{}, usable(GetParam())};
  ClientAccount account_ = ca_.new_account();
};

// --- orders ---

TEST_P(CaStateMachine, OrderPendingBecomesReadyWhenEveryAuthorizationIsValid) {
  json order = ca_.new_order(account_, {"a.example.test", "b.example.test"}).body;
  EXPECT_EQ(order["status"], "pending");
  ca_.validator.set("b.example.test", Outcome::kHeld);
  ca_.post(account_, challenge_url(authz_url(order, 0)), "{}");
  ca_.post(account_, challenge_url(authz_url(order, 1)), "{}");
  EXPECT_TRUE(eventually([&] { return status_of(authz_url(order, 0)) == "valid"; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(status_of(order["url"]), "pending");  // one of two is valid
  ca_.validator.release("b.example.test", Outcome::kValid);
  EXPECT_TRUE(eventually([&] { return status_of(order["url"]) == "ready"; },
                         std::chrono::seconds(10)));
}

TEST_P(CaStateMachine, OrderReadyBecomesValidThroughFinalizeWithItsCertificate) {
  json order = ready_order("final.example.test");
  Reply done = ca_.finalize(account_, order);
  ASSERT_EQ(done.status, 200) << done.raw;
  EXPECT_EQ(done.body["status"], "valid");
  ASSERT_TRUE(done.body.contains("certificate"));
  EXPECT_EQ(status_of(order["url"]), "valid");
  Reply cert = ca_.post(account_, done.body["certificate"].get<std::string>(), "");
  EXPECT_EQ(cert.status, 200);
  EXPECT_NE(cert.raw.find("BEGIN CERTIFICATE"), std::string::npos);
}

TEST_P(CaStateMachine, OrderBeingFinalizedIsProcessingAndRefusesASecondFinalize) {
  // What another instance's finalize leaves while it signs: the order is processing.
  json order = ready_order("processing.example.test");
  json stored = *ca_.storage().document("order", order_id(order));
  stored["status"] = "processing";
  ca_.storage().put_document("order", order_id(order), stored["account"], stored);
  EXPECT_EQ(status_of(order["url"]), "processing");
  Reply again = ca_.finalize(account_, order);
  EXPECT_EQ(again.status, 403) << again.raw;
  EXPECT_EQ(again.problem(), "orderNotReady");
  EXPECT_TRUE(ca_.storage().certificates().empty());
}

TEST_P(CaStateMachine, OrderPendingBecomesInvalidWhenAnAuthorizationFails) {
  ca_.validator.set("bad.example.test", Outcome::kInvalid);
  json order = ca_.new_order(account_, {"good.example.test", "bad.example.test"}).body;
  ca_.answer_challenges(account_, order);
  EXPECT_EQ(status_of(authz_url(order, 0)), "valid");
  EXPECT_EQ(status_of(authz_url(order, 1)), "invalid");
  EXPECT_EQ(status_of(order["url"]), "invalid");
}

TEST_P(CaStateMachine, OrderPendingBecomesInvalidWhenItsAuthorizationsExpire) {
  json order = ca_.new_order(account_, {"late.example.test"}).body;
  ca_.clock.advance(8 * kDay);
  EXPECT_EQ(status_of(authz_url(order)), "expired");
  EXPECT_EQ(status_of(order["url"]), "invalid");
}

TEST_P(CaStateMachine, OrderReadyBecomesInvalidWhenItsAuthorizationsExpireAndRefusesFinalize) {
  json order = ready_order("stale.example.test");
  ca_.clock.advance(8 * kDay);
  EXPECT_EQ(status_of(order["url"]), "invalid");
  Reply refused = ca_.finalize(account_, order);
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.problem(), "orderNotReady");
}

TEST_P(CaStateMachine, OrderBecomesInvalidWhenAnAuthorizationIsDeactivated) {
  json order = ca_.new_order(account_, {"one.example.test", "two.example.test"}).body;
  ca_.answer_challenges(account_, order);
  ASSERT_EQ(status_of(order["url"]), "ready");
  Reply deactivated = ca_.post_json(account_, authz_url(order, 1), json{{"status", "deactivated"}});
  EXPECT_EQ(deactivated.body["status"], "deactivated") << deactivated.raw;
  EXPECT_EQ(status_of(order["url"]), "invalid");
}

TEST_P(CaStateMachine, ValidOrderStaysValidAfterItsAuthorizationsExpire) {
  json order = ready_order("kept.example.test");
  ASSERT_EQ(ca_.finalize(account_, order).status, 200);
  ca_.clock.advance(8 * kDay);
  EXPECT_EQ(status_of(order["url"]), "valid");
}

TEST_P(CaStateMachine, FinalizeOfPendingOrderIsRefusedOrderNotReady) {
  json order = ca_.new_order(account_, {"early.example.test"}).body;
  Reply refused = ca_.finalize(account_, order);
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.problem(), "orderNotReady");
  EXPECT_EQ(status_of(order["url"]), "pending");
}

TEST_P(CaStateMachine, FinalizeOfValidOrderIsRefusedAndIssuesNoSecondCertificate) {
  json order = ready_order("twice.example.test");
  ASSERT_EQ(ca_.finalize(account_, order).status, 200);
  Reply again = ca_.finalize(account_, order);
  EXPECT_EQ(again.status, 403) << again.raw;
  EXPECT_EQ(again.problem(), "orderNotReady");
  EXPECT_EQ(ca_.storage().certificates().size(), 1u);
  EXPECT_EQ(status_of(order["url"]), "valid");
}

TEST_P(CaStateMachine, FinalizeOfInvalidOrderIsRefused) {
  ca_.validator.set("no.example.test", Outcome::kInvalid);
  json order = ca_.new_order(account_, {"no.example.test"}).body;
  ca_.answer_challenges(account_, order);
  Reply refused = ca_.finalize(account_, order);
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.problem(), "orderNotReady");
  EXPECT_TRUE(ca_.storage().certificates().empty());
}

// --- authorizations ---

TEST_P(CaStateMachine, AuthorizationPendingBecomesValidWhenAChallengeSucceeds) {
  json order = ca_.new_order(account_, {"ok.example.test"}).body;
  EXPECT_EQ(status_of(authz_url(order)), "pending");
  ca_.answer_challenges(account_, order);
  EXPECT_EQ(status_of(authz_url(order)), "valid");
}

TEST_P(CaStateMachine, AuthorizationPendingBecomesInvalidWhenItsChallengeFails) {
  ca_.validator.set("fail.example.test", Outcome::kInvalid);
  json order = ca_.new_order(account_, {"fail.example.test"}).body;
  ca_.answer_challenges(account_, order);
  EXPECT_EQ(status_of(authz_url(order)), "invalid");
  json challenge = challenge_of(authz_url(order));
  EXPECT_EQ(challenge["status"], "invalid");
  EXPECT_EQ(challenge["error"]["type"], "urn:ietf:params:acme:error:incorrectResponse");
}

TEST_P(CaStateMachine, PendingAuthorizationExpiresByTheClock) {
  json order = ca_.new_order(account_, {"pending-expiry.example.test"}).body;
  ca_.clock.advance(7 * kDay - 60);
  EXPECT_EQ(status_of(authz_url(order)), "pending");
  ca_.clock.advance(120);
  EXPECT_EQ(status_of(authz_url(order)), "expired");
}

TEST_P(CaStateMachine, ValidAuthorizationExpiresByTheClock) {
  json order = ready_order("valid-expiry.example.test");
  ca_.clock.advance(7 * kDay + 60);
  EXPECT_EQ(status_of(authz_url(order)), "expired");
}

TEST_P(CaStateMachine, PendingAuthorizationCanBeDeactivated) {
  json order = ca_.new_order(account_, {"drop.example.test"}).body;
  Reply reply = ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}});
  EXPECT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(status_of(authz_url(order)), "deactivated");
}

TEST_P(CaStateMachine, ValidAuthorizationCanBeDeactivated) {
  json order = ready_order("drop-valid.example.test");
  Reply reply = ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}});
  EXPECT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(status_of(authz_url(order)), "deactivated");
}

TEST_P(CaStateMachine, DeactivatingAnInvalidAuthorizationIsRefused) {
  ca_.validator.set("gone.example.test", Outcome::kInvalid);
  json order = ca_.new_order(account_, {"gone.example.test"}).body;
  ca_.answer_challenges(account_, order);
  Reply refused = ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}});
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_EQ(refused.problem(), "malformed");
  EXPECT_EQ(status_of(authz_url(order)), "invalid");
}

TEST_P(CaStateMachine, DeactivatingAnExpiredAuthorizationIsRefused) {
  json order = ca_.new_order(account_, {"old.example.test"}).body;
  ca_.clock.advance(8 * kDay);
  Reply refused = ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}});
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_EQ(status_of(authz_url(order)), "expired");
}

TEST_P(CaStateMachine, DeactivatingADeactivatedAuthorizationIsRefused) {
  json order = ca_.new_order(account_, {"twice-off.example.test"}).body;
  ASSERT_EQ(ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}}).status, 200);
  Reply refused = ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}});
  EXPECT_EQ(refused.status, 400) << refused.raw;
}

TEST_P(CaStateMachine, DeactivatedAuthorizationNeverBecomesValid) {
  json order = ca_.new_order(account_, {"off.example.test"}).body;
  ASSERT_EQ(ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}}).status, 200);
  int before = ca_.validator.validations();
  ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(ca_.validator.validations(), before);
  EXPECT_EQ(status_of(authz_url(order)), "deactivated");
  EXPECT_EQ(challenge_of(authz_url(order))["status"], "pending");
}

TEST_P(CaStateMachine, AuthorizationDeactivatedDuringValidationStaysDeactivated) {
  ca_.validator.set("race.example.test", Outcome::kHeld);
  json order = ca_.new_order(account_, {"race.example.test"}).body;
  ca_.post(account_, challenge_url(authz_url(order)), "{}");
  ASSERT_EQ(ca_.post_json(account_, authz_url(order), json{{"status", "deactivated"}}).status, 200);
  ca_.validator.release("race.example.test", Outcome::kValid);
  EXPECT_TRUE(eventually(
      [&] { return challenge_of(authz_url(order))["status"] == "invalid"; },
      std::chrono::seconds(10)));
  EXPECT_EQ(status_of(authz_url(order)), "deactivated");
}

TEST_P(CaStateMachine, ExpiredAuthorizationStartsNoValidation) {
  json order = ca_.new_order(account_, {"too-late.example.test"}).body;
  ca_.clock.advance(8 * kDay);
  int before = ca_.validator.validations();
  ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(ca_.validator.validations(), before);
  EXPECT_EQ(challenge_of(authz_url(order))["status"], "pending");
}

// --- challenges ---

TEST_P(CaStateMachine, ChallengeAnsweredWithItsOutcomeWhenValidationIsFast) {
  json order = ca_.new_order(account_, {"fast.example.test"}).body;
  Reply reply = ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(reply.body["status"], "valid") << reply.raw;
  EXPECT_FALSE(reply.header("Retry-After"));
}

TEST_P(CaStateMachine, ChallengePendingBecomesProcessingThenValid) {
  ca_.validator.set("slow.example.test", Outcome::kHeld);
  json order = ca_.new_order(account_, {"slow.example.test"}).body;
  EXPECT_EQ(challenge_of(authz_url(order))["status"], "pending");
  Reply reply = ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(reply.body["status"], "processing") << reply.raw;
  EXPECT_EQ(reply.header("Retry-After").value_or(""), "1");
  EXPECT_EQ(status_of(authz_url(order)), "pending");
  ca_.validator.release("slow.example.test", Outcome::kValid);
  EXPECT_TRUE(eventually([&] { return challenge_of(authz_url(order))["status"] == "valid"; },
                         std::chrono::seconds(10)));
  EXPECT_TRUE(challenge_of(authz_url(order)).contains("validated"));
}

TEST_P(CaStateMachine, ChallengeProcessingBecomesInvalidWhenValidationFails) {
  ca_.validator.set("slow-fail.example.test", Outcome::kHeld);
  json order = ca_.new_order(account_, {"slow-fail.example.test"}).body;
  EXPECT_EQ(ca_.post(account_, challenge_url(authz_url(order)), "{}").body["status"], "processing");
  ca_.validator.release("slow-fail.example.test", Outcome::kInvalid);
  EXPECT_TRUE(eventually([&] { return challenge_of(authz_url(order))["status"] == "invalid"; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(status_of(authz_url(order)), "invalid");
}

TEST_P(CaStateMachine, ChallengePostWhileProcessingStartsNoSecondValidation) {
  ca_.validator.set("once.example.test", Outcome::kHeld);
  json order = ca_.new_order(account_, {"once.example.test"}).body;
  ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_TRUE(eventually([&] { return ca_.validator.validations() == 1; },
                         std::chrono::seconds(10)));
  Reply again = ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(again.body["status"], "processing");
  ca_.validator.release("once.example.test", Outcome::kValid);
  EXPECT_TRUE(eventually([&] { return status_of(authz_url(order)) == "valid"; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(ca_.validator.validations(), 1);
}

TEST_P(CaStateMachine, ChallengePostOnValidAuthorizationStartsNoValidation) {
  json order = ready_order("done.example.test");
  int before = ca_.validator.validations();
  Reply again = ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(again.body["status"], "valid");
  Reply other = ca_.post(account_, challenge_url(authz_url(order), "dns-01"), "{}");
  EXPECT_EQ(other.body["status"], "pending");
  EXPECT_EQ(ca_.validator.validations(), before);
}

TEST_P(CaStateMachine, InvalidChallengeIsNotRetried) {
  ca_.validator.set("retry.example.test", Outcome::kInvalid);
  json order = ca_.new_order(account_, {"retry.example.test"}).body;
  ca_.answer_challenges(account_, order);
  ca_.validator.set("retry.example.test", Outcome::kValid);
  int before = ca_.validator.validations();
  Reply again = ca_.post(account_, challenge_url(authz_url(order)), "{}");
  EXPECT_EQ(again.body["status"], "invalid");
  EXPECT_EQ(ca_.validator.validations(), before);
  EXPECT_EQ(status_of(authz_url(order)), "invalid");
}

// --- accounts ---

TEST_P(CaStateMachine, AccountValidBecomesDeactivated) {
  Reply reply = ca_.post_json(account_, account_.kid, json{{"status", "deactivated"}});
  EXPECT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["status"], "deactivated");
}

TEST_P(CaStateMachine, DeactivatedAccountIsRefusedEveryRequest) {
  ASSERT_EQ(ca_.post_json(account_, account_.kid, json{{"status", "deactivated"}}).status, 200);
  std::vector<Reply> replies{
      ca_.post_json(account_, "/acme/new-order",
                    json{{"identifiers", {{{"type", "dns"}, {"value", "x.test"}}}}}),
      ca_.post_json(account_, account_.kid, json{{"status", "valid"}}),
      ca_.post(account_, account_.kid, "")};
  for (const Reply& refused : replies) {
    EXPECT_EQ(refused.status, 401) << refused.raw;
    EXPECT_EQ(refused.problem(), "unauthorized");
  }
}

TEST_P(CaStateMachine, DeactivatedAccountIsNotRevivedByNewAccount) {
  ASSERT_EQ(ca_.post_json(account_, account_.kid, json{{"status", "deactivated"}}).status, 200);
  ClientAccount same{std::move(account_.key), ""};
  Reply reply = ca_.post_json(same, "/acme/new-account", json{{"termsOfServiceAgreed", true}});
  EXPECT_EQ(reply.body["status"], "deactivated") << reply.raw;
  EXPECT_EQ(reply.header("Location").value_or(""), account_.kid);
}

// --- the CRL on the clock ---

TEST_P(CaStateMachine, CrlRefreshedWellBeforeNextUpdate) {
  CrlSeen first = read_crl(ca_.get("/crl").raw);
  EXPECT_EQ(first.last_update, ca_.clock.now());
  EXPECT_EQ(first.next_update - first.last_update, ca::kCrlNextUpdate);
  ca_.clock.advance(ca::kCrlRefreshAfter - 60);
  EXPECT_EQ(read_crl(ca_.get("/crl").raw).number, first.number);  // not rebuilt per fetch
  // A month without a revocation: every CRL served is at most a day old, nextUpdate 6+ days out.
  for (int day = 0; day < 30; ++day) {
    ca_.clock.advance(kDay);
    CrlSeen seen = read_crl(ca_.get("/crl").raw);
    EXPECT_GE(seen.next_update - ca_.clock.now(), ca::kCrlNextUpdate - ca::kCrlRefreshAfter);
    EXPECT_LE(ca_.clock.now() - seen.last_update, ca::kCrlRefreshAfter);
    EXPECT_GT(seen.number, first.number);
    first = seen;
  }
}

// --- an instance that died mid-way (its work "processing" in the shared database) ---

TEST_P(CaStateMachine, ChallengeLeftProcessingByADeadInstanceIsValidatedAgainOnceAbandoned) {
  json order = ca_.new_order(account_, {"orphan.example.test"}).body;
  std::string authz = authz_url(order);
  std::string id = path_of(authz).substr(std::string("/acme/authz/").size());
  json doc = *ca_.storage().document("authz", id);  // what the dead instance stored
  doc["challenges"]["http-01"] = {{"status", "processing"}, {"processing_since", ca_.clock.now()}};
  ca_.storage().put_document("authz", id, doc["account"].get<long long>(), doc);
  EXPECT_EQ(challenge_of(authz)["status"], "processing");
  ca_.clock.advance(29);  // a live instance may still be at it
  EXPECT_EQ(challenge_of(authz)["status"], "processing");
  EXPECT_EQ(ca_.validator.validations(), 0);
  ca_.clock.advance(2);
  EXPECT_TRUE(eventually([&] { return status_of(authz) == "valid"; }, std::chrono::seconds(10)));
  EXPECT_EQ(ca_.validator.validations(), 1);
  EXPECT_EQ(status_of(order["url"]), "ready");
}

TEST_P(CaStateMachine, OrderLeftProcessingByADeadInstanceBecomesInvalidAndIssuesNothing) {
  json order = ready_order("orphan.example.test");
  json doc = *ca_.storage().document("order", order_id(order));
  doc["status"] = "processing";  // finalize began on an instance that then died
  doc["processing_since"] = ca_.clock.now();
  ca_.storage().put_document("order", order_id(order), doc["account"].get<long long>(), doc);
  EXPECT_EQ(status_of(order["url"]), "processing");
  ca_.clock.advance(31);
  Reply given_up = ca_.post(account_, order["url"], "");
  EXPECT_EQ(given_up.body["status"], "invalid") << given_up.raw;
  EXPECT_NE(given_up.body["error"].value("detail", "").find("create a new order"),
            std::string::npos)
      << given_up.raw;
  EXPECT_EQ(ca_.storage().certificates().size(), 0u);
  json again = ready_order("orphan.example.test");
  EXPECT_EQ(ca_.finalize(account_, again).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Storage, CaStateMachine,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return backend_name(info.param); });

}  // namespace
}  // namespace xmppcert::testing
