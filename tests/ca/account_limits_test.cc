// Issue 24, in process on a fake clock and on both storage backends: certificates per
// registered domain (counted at newOrder and again in finalize's transaction, whoever asks),
// one account per EAB key id unless the operator made the key reusable, CAA looked up again
// at finalize when an authorization's check is 8 hours old, and account writes that touch only
// what a request changes (a racing update cannot undo a key rollover).
#include <gtest/gtest.h>

#include "ca/ra/registered_domain.h"
#include "engine/encoding.h"
#include "jose/jws.h"
#include "tests/ca/in_process_ca.h"

namespace xmppcert::testing {
namespace {

using nlohmann::json;
constexpr std::time_t kHour = 3600;
constexpr std::time_t kDay = 86400;

class LimitsOn : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto missing = backend_missing(GetParam()); !missing.empty()) GTEST_SKIP() << missing;
  }
  // A ready order of `account` for `domains`.
  json ready_order(InProcessCa& ca, ClientAccount& account,
                   const std::vector<std::string>& domains) {
    json order = ca.new_order(account, domains).body;
    ca.answer_challenges(account, order);
    return order;
  }
};

TEST(RegisteredDomain, IsTheLastTwoLabelsOrOneLabelBelowAListedSuffix) {
  EXPECT_EQ(ca::registered_domain("xmpp.example.org", {}), "example.org");
  EXPECT_EQ(ca::registered_domain("a.b.c.example.org", {}), "example.org");
  EXPECT_EQ(ca::registered_domain("example.org", {}), "example.org");
  EXPECT_EQ(ca::registered_domain("localhost", {}), "localhost");
  EXPECT_EQ(ca::registered_domain("xmpp.example.co.uk", {}), "co.uk");
  EXPECT_EQ(ca::registered_domain("xmpp.example.co.uk", {"co.uk"}), "example.co.uk");
  EXPECT_EQ(ca::registered_domain("example.co.uk", {"co.uk"}), "example.co.uk");
  EXPECT_EQ(ca::registered_domain("co.uk", {"co.uk"}), "co.uk");
  EXPECT_EQ(ca::registered_domain("xmpp.notco.uk", {"co.uk"}), "notco.uk");
}

TEST_P(LimitsOn, CertificatesPerRegisteredDomainAreCappedPerWeekWhateverTheAccountOrSubdomain) {
  ca::ServiceOptions options;
  options.certificates_per_registered_domain_per_week = 2;
  InProcessCa ca(options, GetParam());
  ClientAccount first = ca.new_account(), second = ca.new_account();
  EXPECT_EQ(ca.finalize(first, ready_order(ca, first, {"a.example.org"})).status, 200);
  EXPECT_EQ(ca.finalize(second, ready_order(ca, second, {"xmpp.b.example.org"})).status, 200);
  // A third account, a third subdomain: the registered domain has had its two.
  ClientAccount third = ca.new_account();
  Reply refused = ca.new_order(third, {"c.example.org"}, 429);
  EXPECT_EQ(refused.problem(), "rateLimited");
  EXPECT_NE(refused.raw.find("example.org"), std::string::npos) << refused.raw;
  EXPECT_TRUE(refused.header("Retry-After").has_value());
  // An order naming it among others is refused too; another registered domain is not.
  ca.new_order(third, {"other.example.net", "d.example.org"}, 429);
  EXPECT_EQ(ca.finalize(third, ready_order(ca, third, {"other.example.net"})).status, 200);
  // A week later the domain may have certificates again.
  ca.clock.advance(7 * kDay + 60);
  EXPECT_EQ(ca.finalize(third, ready_order(ca, third, {"c.example.org"})).status, 200);
}

TEST_P(LimitsOn, OrdersOpenedBeforeAnyCertificateCannotExceedTheRegisteredDomainLimit) {
  ca::ServiceOptions options;
  options.certificates_per_registered_domain_per_week = 2;
  InProcessCa ca(options, GetParam());
  // Three accounts each open an order while none is finalized: newOrder lets all three pass,
  // finalize's transaction counts what was signed.
  std::vector<ClientAccount> accounts;
  std::vector<json> orders;
  for (int i = 0; i < 3; ++i) {
    accounts.push_back(ca.new_account());
    orders.push_back(ready_order(ca, accounts.back(), {"n" + std::to_string(i) + ".example.org"}));
  }
  int issued = 0, limited = 0;
  for (int i = 0; i < 3; ++i) {
    Reply reply = ca.finalize(accounts[i], orders[i]);
    issued += reply.status == 200;
    limited += reply.status == 429 && reply.problem() == "rateLimited";
  }
  EXPECT_EQ(issued, 2);
  EXPECT_EQ(limited, 1);
}

TEST_P(LimitsOn, WithoutTheSettingNoRegisteredDomainIsLimited) {
  InProcessCa ca({}, GetParam());
  ClientAccount account = ca.new_account();
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(
        ca.finalize(account, ready_order(ca, account, {"x" + std::to_string(i) + ".example.org"}))
            .status,
        200);
}

// --- external account binding ---

class EabOn : public LimitsOn {
 protected:
  // newAccount for a fresh key bound with `kid`.
  Reply open_account(InProcessCa& ca, const std::string& kid, ClientAccount& account) {
    account = {generate_private_key(KeyType::kEcP256), ""};
    json payload{
        {"termsOfServiceAgreed", true},
        {"externalAccountBinding",
         jose::external_account_binding(account.key.get(), kid, base64url_encode(kMac),
                                        std::string(InProcessCa::kBaseUrl) + "/acme/new-account")}};
    Reply reply = ca.post_json(account, "/acme/new-account", payload);
    account.kid = reply.header("Location").value_or("");
    return reply;
  }
  ca::ServiceOptions options() {
    ca::ServiceOptions options;
    options.eab_required = true;
    options.eab_keys = {{"member-a", kMac}, {"shared-enrolment", kMac}};
    options.reusable_eab_keys = {"shared-enrolment"};
    return options;
  }
  const std::string kMac = "0123456789abcdef0123456789abcdef";
};

TEST_P(EabOn, AKeyIdOpensOneAccountAndASecondIsRefusedNamingIt) {
  InProcessCa ca(options(), GetParam());
  ClientAccount first, second;
  ASSERT_EQ(open_account(ca, "member-a", first).status, 201);
  Reply refused = open_account(ca, "member-a", second);
  EXPECT_EQ(refused.status, 401) << refused.raw;
  EXPECT_EQ(refused.problem(), "unauthorized");
  EXPECT_NE(refused.raw.find("member-a"), std::string::npos) << refused.raw;
  EXPECT_FALSE(ca.storage().account_by_thumbprint(jose::jwk_thumbprint(second.key.get())));
  // The first account's key finds its account again (RFC 8555 §7.3.1), binding or not.
  ClientAccount again{std::move(first.key), ""};
  EXPECT_EQ(ca.post(again, "/acme/new-account", R"({"onlyReturnExisting":true})").status, 200);
}

TEST_P(EabOn, AKeyIdTheOperatorMadeReusableOpensAnyNumberOfAccounts) {
  InProcessCa ca(options(), GetParam());
  for (int i = 0; i < 3; ++i) {
    ClientAccount account;
    EXPECT_EQ(open_account(ca, "shared-enrolment", account).status, 201);
  }
}

TEST_P(EabOn, AKeyIdAddedToTheDatabaseBindsToOneAccountToo) {
  InProcessCa ca(options(), GetParam());
  ca.storage().add_eab_key({"from-the-command", kMac, ca.clock.now()});
  ClientAccount first, second;
  ASSERT_EQ(open_account(ca, "from-the-command", first).status, 201);
  EXPECT_EQ(open_account(ca, "from-the-command", second).status, 401);
}

// --- CAA at issuance ---

TEST_P(LimitsOn, CaaIsLookedUpAgainAtFinalizeWhenTheAuthorizationsCheckIsOlderThanEightHours) {
  InProcessCa ca({}, GetParam());
  ClientAccount account = ca.new_account();
  json recent = ready_order(ca, account, {"recent.example.org"});
  json old = ready_order(ca, account, {"old.example.org"});
  int checks = ca.validator.caa_checks();
  // Seven hours on, CAA forbids us for both: the recent check still stands.
  ca.clock.advance(7 * kHour);
  ca.validator.refuse_caa("recent.example.org");
  ca.validator.refuse_caa("old.example.org");
  EXPECT_EQ(ca.finalize(account, recent).status, 200);
  EXPECT_EQ(ca.validator.caa_checks(), checks);
  // Past eight hours the check is stale: looked up again, and it now forbids issuance.
  ca.clock.advance(kHour + 60);
  Reply refused = ca.finalize(account, old);
  EXPECT_EQ(refused.problem(), "caa") << refused.raw;
  EXPECT_EQ(ca.validator.caa_checks(), checks + 1);
  EXPECT_EQ(ca.post(account, old["url"].get<std::string>(), "").body["status"], "ready");
  // CAA allows us again: the same order is issued, and its fresh check is remembered.
  ca.validator.refuse_caa("old.example.org", false);
  EXPECT_EQ(ca.finalize(account, old).status, 200);
  EXPECT_EQ(ca.validator.caa_checks(), checks + 2);
}

// --- account writes ---

TEST_P(LimitsOn, AnAccountUpdateCheckedBeforeAKeyRolloverCommittedNeitherUndoesNorBypassesIt) {
  InProcessCa ca({}, GetParam());
  ClientAccount account = ca.new_account();
  long long id = std::stoll(account.kid.substr(account.kid.rfind('/') + 1));
  ca::AccountRecord before = *ca.storage().account(id);
  PKeyPtr new_key = generate_private_key(KeyType::kEcP256);
  std::string new_thumbprint = jose::jwk_thumbprint(new_key.get());
  // Another instance's key rollover commits between this instance's JWS check (the old key)
  // and its write: the write is conditional on the key it checked, so it changes nothing.
  auto other = ca.connect();
  ca::AccountChange rollover;
  rollover.thumbprint = new_thumbprint;
  rollover.jwk = jose::public_jwk(new_key.get());
  ASSERT_TRUE(other->change_account(id, before.thumbprint, rollover));
  ca::AccountChange contact;
  contact.contact = json::array({"mailto:late@example.org"});
  EXPECT_FALSE(ca.storage().change_account(id, before.thumbprint, contact));
  ca::AccountRecord after = *ca.storage().account(id);
  EXPECT_EQ(after.thumbprint, new_thumbprint);
  EXPECT_EQ(after.jwk, jose::public_jwk(new_key.get()));
  EXPECT_EQ(after.contact, before.contact);
  // Signed with the new key, the update writes its field and no other.
  EXPECT_TRUE(ca.storage().change_account(id, new_thumbprint, contact));
  after = *ca.storage().account(id);
  EXPECT_EQ(after.thumbprint, new_thumbprint);
  EXPECT_EQ(after.contact, contact.contact);
  EXPECT_EQ(after.status, "valid");
  // Through the front end: a contact update signed with the old key after the rollover is
  // refused, and the account keeps its new key.
  Reply late =
      ca.post_json(account, account.kid, {{"contact", json::array({"mailto:x@example.org"})}});
  EXPECT_NE(late.status, 200) << late.raw;
  EXPECT_EQ(ca.storage().account(id)->thumbprint, new_thumbprint);
}

// Found by fuzz_ca_router: a problem echoing a path that is not UTF-8 made the answer's JSON
// serializer throw inside handle()'s error handling.
TEST(HostileRequestsInProcess, APathThatIsNotUtf8IsAnsweredNotFoundNotWithAnException) {
  InProcessCa ca;
  Reply reply = ca.get("/acme/\x82\xff");
  EXPECT_EQ(reply.status, 404) << reply.raw;
  EXPECT_EQ(reply.problem(), "malformed");
}

INSTANTIATE_TEST_SUITE_P(Backends, LimitsOn,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return backend_name(info.param); });
INSTANTIATE_TEST_SUITE_P(Backends, EabOn, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return backend_name(info.param); });

}  // namespace
}  // namespace xmppcert::testing
