#include "renewal/renewal.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/renewal_decision.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/plugin_boundary.h"
#include "plugins/registry.h"
#include "renewal/schedule.h"
#include "tests/support/fake_issuer.h"
#include "tests/support/fake_server_plugin.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

using testing::FakeIssuer;
using testing::FakeServerPlugin;

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
    plan.identities = identities_of(plan.request);
    plan.where = "test";
    auto issuer = std::make_unique<FakeIssuer>("local", LocalCa::dir_in(dir_ / "state"));
    issuer_ = issuer.get();
    plan.issuer = std::move(issuer);
    return plan;
  }

  // The local CA, refusing any order that names broken.example.org (a new VirtualHost whose
  // DNS is missing).
  void refuse_broken_name() { issuer_->refuse("broken.example.org", "no A or AAAA record"); }

  TempDir dir_;
  testing::MemoryStore store_{dir_ / "versions"};
  FakeIssuer* issuer_ = nullptr;
};

// Issue 23 item 10: a new name that cannot be validated must not let the working names
// expire. Before the current certificate is due, the full set is tried and fails; once it is
// due, the names it carries are renewed, the new one is named as left out (and why), and the
// full set stays wanted and is retried after a backoff.
TEST_F(RenewalTest, ABrokenNewNameLeavesTheLastGoodSetRenewedAndIsRetried) {
  PlannedCertificate plan = plan_for("example.org");
  refuse_broken_name();
  std::time_t now = std::time(nullptr);
  ASSERT_TRUE(renew_if_due(store_, plan, now, false).issued);

  plan.request.domains.push_back("broken.example.org");
  plan.identities = identities_of(plan.request);
  plan.record = store_.load("example.org");
  EXPECT_THROW(renew_if_due(store_, plan, now, false), OperationError) << "not due: no fallback";
  EXPECT_EQ(store_.load("example.org")->current_version, 1);

  std::time_t due = store_.load("example.org")->next_renewal + 1;
  plan.record = store_.load("example.org");
  RenewalOutcome outcome = renew_if_due(store_, plan, due, false);
  ASSERT_TRUE(outcome.issued);
  CertificateRecord record = *store_.load("example.org");
  EXPECT_EQ(record.current_version, 2);
  EXPECT_EQ(record.certificate.identities.dns_ids, (std::vector<std::string>{"example.org"}));
  EXPECT_EQ(record.left_out, (std::vector<std::string>{"broken.example.org"}));
  EXPECT_NE(record.left_out_why.find("no A or AAAA record"), std::string::npos);
  EXPECT_EQ(record.request.domains, plan.request.domains) << "the full set is still wanted";
  EXPECT_FALSE(record.last_attempt->ok);
  EXPECT_GE(record.consecutive_failures, 1);
  EXPECT_GT(next_action(&record, plan.request, due), due) << "retried after a backoff";
  EXPECT_TRUE(decide_renewal(&record, plan.request, due + 3600, false).due)
      << "and then the full set again";
}

// Issue 23 item 9: what `status` shows as pending= is in the record (record.json) from the
// failed attempt on: the names the next one asks for, while the certificate keeps its own;
// the last good set renewed without the broken name leaves the full set pending; a success
// with every wanted name clears it.
TEST_F(RenewalTest, AFailedAttemptRecordsTheNamesItAskedForUntilOneSucceeds) {
  PlannedCertificate plan = plan_for("example.org");
  refuse_broken_name();
  std::time_t now = std::time(nullptr);
  ASSERT_TRUE(renew_if_due(store_, plan, now, false).issued);
  EXPECT_TRUE(store_.load("example.org")->pending_names.empty());

  const std::vector<std::string> full_set = {"example.org", "broken.example.org"};
  plan.request.domains.push_back("broken.example.org");
  plan.identities = identities_of(plan.request);
  plan.record = store_.load("example.org");
  EXPECT_THROW(renew_if_due(store_, plan, now, false), OperationError);
  CertificateRecord record = *store_.load("example.org");
  EXPECT_EQ(record.pending_names, full_set);
  EXPECT_EQ(record.certificate.identities.dns_ids, (std::vector<std::string>{"example.org"}));

  std::time_t due = record.next_renewal + 1;
  plan.record = record;
  ASSERT_TRUE(renew_if_due(store_, plan, due, false).issued);
  EXPECT_EQ(store_.load("example.org")->pending_names, full_set) << "the full set is retried";

  plan.request.domains = {"example.org"};
  plan.identities = identities_of(plan.request);
  plan.record = store_.load("example.org");
  ASSERT_TRUE(renew_if_due(store_, plan, due + 7200, false).issued);
  EXPECT_TRUE(store_.load("example.org")->pending_names.empty());
}

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
  EXPECT_EQ(issuer_->orders, 1);
  RenewalOutcome forced = renew_if_due(store_, plan, std::time(nullptr), true);
  ASSERT_TRUE(forced.issued);
  EXPECT_EQ(forced.issued->current_version, 2);
}

TEST_F(RenewalTest, AnInstallFailingWithAJsonErrorPutsThePreviousVersionBack) {
  PlannedCertificate plan = plan_for("example.org");
  // Installs by remembering the version; its second install fails with a JSON error.
  auto server = std::make_unique<FakeServerPlugin>("flaky");
  FakeServerPlugin* flaky = server.get();
  server->on_install = [flaky](const StoredVersion&) {
    if (flaky->installs == 2) nlohmann::json::parse("{}").at("missing");
  };
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

// Not due, but installed to a new target (here a prosody cert dir that already holds another
// tool's files): when that install fails (the reload, which here works only with the files
// that were there before), those files are put back byte for byte with their modes, the turn
// fails (the CLI exits 1) and the record keeps the old target, so that the next run tries the
// install again.
TEST_F(RenewalTest, AFailedInstallOfACurrentCertificateToANewTargetPutsThePreviousFilesBack) {
  std::vector<PlannedCertificate> plans;
  plans.push_back(plan_for("example.org"));
  PlannedCertificate& plan = plans.front();
  renew_if_due(store_, plan, std::time(nullptr), false);
  ASSERT_EQ(plan.record->current_version, 1);

  const fs::path key = dir_ / "certs" / "example.org.key", crt = dir_ / "certs" / "example.org.crt";
  fs::create_directories(dir_ / "certs");
  testing::write_text(dir_ / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
  testing::write_text(key, "KEY FROM BEFORE\n");
  ::chmod(key.c_str(), 0640);
  testing::write_text(crt, "CERTIFICATE FROM BEFORE\n");
  ::chmod(crt.c_str(), 0644);
  plan.request.install = InstallTarget{"prosody",
                                       {{"config", (dir_ / "prosody.cfg.lua").string()},
                                        {"cert_dir", (dir_ / "certs").string()},
                                        {"reload", {"grep", "-q", "FROM BEFORE", crt.string()}},
                                        {"verify", false}}};
  plan.server = make_server_plugin(*plan.request.install, "test.install");

  std::string failure;
  bool ok = renew_each(
      store_, plans, std::time(nullptr), false,
      [](const PlannedCertificate&, const RenewalOutcome& outcome) {
        ADD_FAILURE() << "the install succeeded: " << outcome.installed_with;
      },
      [&](const PlannedCertificate&, const std::string& error) { failure = error; });
  EXPECT_FALSE(ok) << "the run fails";
  EXPECT_NE(failure.find("install v1 with prosody"), std::string::npos) << failure;
  EXPECT_NE(failure.find("the replaced files were put back"), std::string::npos) << failure;
  EXPECT_EQ(read_file(key), "KEY FROM BEFORE\n");
  EXPECT_EQ(testing::file_mode(key), 0640u);
  EXPECT_EQ(read_file(crt), "CERTIFICATE FROM BEFORE\n");
  EXPECT_EQ(testing::file_mode(crt), 0644u);
  auto record = store_.load("example.org");
  EXPECT_EQ(record->current_version, 1);
  EXPECT_FALSE(record->last_attempt->ok);
  EXPECT_FALSE(record->request.install) << "the new target is not recorded as installed";
}

}  // namespace
}  // namespace xmppcert
