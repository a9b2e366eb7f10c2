#include "plugins/renewal.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/plugin_boundary.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

// The local CA, counting its issuances.
class CountingIssuer : public Issuer {
 public:
  explicit CountingIssuer(std::filesystem::path dir) : ca_(std::move(dir)) {}
  std::string name() const override { return "local"; }
  IssuedCertificate issue(const IssuanceRequest& request) override {
    ++issued;
    return ca_.issue(request);
  }
  int issued = 0;

 private:
  LocalCa ca_;
};

// Installs by remembering the version; its second install fails with a JSON error.
class FlakyServer : public ServerPlugin {
 public:
  std::string name() const override { return "flaky"; }
  void install(const StoredVersion& version) override {
    if (++installs == 2) nlohmann::json::parse("{}").at("missing");
    installed = version.number;
  }
  void reload() override {}
  int installs = 0;
  int installed = 0;
};

class RenewalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([](const std::string&) {});
  }
  void TearDown() override { set_log_sink(nullptr); }

  PlannedCertificate plan_for(const std::string& domain) {
    PlannedCertificate plan;
    plan.request.name = domain;
    plan.request.domains = {domain};
    plan.configured = plan.request;
    plan.identities = identities_of(plan.request);
    plan.where = "test";
    auto issuer = std::make_unique<CountingIssuer>(LocalCa::dir_in(dir_ / "state"));
    issuer_ = issuer.get();
    plan.issuer = std::move(issuer);
    return plan;
  }

  TempDir dir_;
  StateDirStore store_{dir_ / "state"};
  CountingIssuer* issuer_ = nullptr;
};

TEST_F(RenewalTest, IssuesWhenNothingIsIssuedAndKeepsTheNewRecordInThePlan) {
  PlannedCertificate plan = plan_for("example.org");
  RenewalOutcome outcome = renew_if_due(store_, plan, std::time(nullptr), false);
  ASSERT_TRUE(outcome.issued);
  EXPECT_EQ(outcome.decision.reason, "no certificate issued yet");
  ASSERT_TRUE(plan.record);
  EXPECT_EQ(plan.record->current_version, 1);
  EXPECT_EQ(store_.load("example.org")->current_version, 1);
}

TEST_F(RenewalTest, ACurrentCertificateIsLeftAloneUnlessForced) {
  PlannedCertificate plan = plan_for("example.org");
  renew_if_due(store_, plan, std::time(nullptr), false);
  RenewalOutcome second = renew_if_due(store_, plan, std::time(nullptr), false);
  EXPECT_FALSE(second.issued);
  EXPECT_EQ(second.decision.reason.rfind("not due until", 0), 0u) << second.decision.reason;
  EXPECT_EQ(issuer_->issued, 1);
  RenewalOutcome forced = renew_if_due(store_, plan, std::time(nullptr), true);
  ASSERT_TRUE(forced.issued);
  EXPECT_EQ(forced.issued->current_version, 2);
}

TEST_F(RenewalTest, AnInstallFailingWithAJsonErrorPutsThePreviousVersionBack) {
  PlannedCertificate plan = plan_for("example.org");
  auto server = std::make_unique<FlakyServer>();
  FlakyServer* flaky = server.get();
  plan.server = guard_server_plugin(std::move(server));
  renew_if_due(store_, plan, std::time(nullptr), false);
  EXPECT_EQ(flaky->installed, 1);
  try {
    renew_if_due(store_, plan, std::time(nullptr), true);
    FAIL() << "installed";
  } catch (const OperationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("install v2 with flaky"), std::string::npos) << message;
    EXPECT_NE(message.find("unexpected JSON"), std::string::npos) << message;
    EXPECT_NE(message.find("previous certificate v1 restored"), std::string::npos) << message;
  }
  EXPECT_EQ(flaky->installed, 1) << "v1 installed again";
  auto record = store_.load("example.org");
  EXPECT_EQ(record->current_version, 1);
  EXPECT_EQ(record->consecutive_failures, 1);
  EXPECT_FALSE(plan.record) << "the plan no longer claims to know the record";
}

}  // namespace
}  // namespace xmppcert
