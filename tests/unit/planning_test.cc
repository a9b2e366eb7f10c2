#include "renewal/planning.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/plugin_boundary.h"
#include "plugins/registry.h"
#include "renewal/renewal.h"
#include "tests/support/fake_issuer.h"
#include "tests/support/fake_server_plugin.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;
using testing::write_text;

// The tests' store, counting how often each record is read.
class CountingStore : public testing::MemoryStore {
 public:
  using MemoryStore::MemoryStore;
  std::optional<CertificateRecord> load(const std::string& name) const override {
    ++loads[name];
    return MemoryStore::load(name);
  }
  mutable std::map<std::string, int> loads;
};

class PlanningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([](const std::string&) {});
    write_text(dir_ / "prosody.cfg.lua",
               "VirtualHost \"a.example\"\nVirtualHost \"b.example\"\n"
               "Component \"conference.a.example\" \"muc\"\n");
  }
  void TearDown() override { set_log_sink(nullptr); }

  CertificateRequest prosody_request(const std::string& name) const {
    CertificateRequest request;
    request.name = name;
    request.domains = {name};
    request.install = InstallTarget{"prosody",
                                    {{"config", (dir_ / "prosody.cfg.lua").string()},
                                     {"cert_dir", (dir_ / "certs" / name).string()},
                                     {"reload", {"/bin/true"}},
                                     {"verify", false}}};
    return request;
  }
  // The registry's server plugins and identities_of, counted: each construction parses the
  // server's config, each identities call validates a request's names.
  PlanningOptions options() {
    return {dir_ / "state", [](const std::string& name) { return "test \"" + name + "\""; },
            [this](const InstallTarget& target, const std::string& where) {
              ++server_config_parses_;
              return make_server_plugin(target, where);
            },
            [this](const CertificateRequest& request) {
              ++identities_validated_;
              return identities_of(request);
            }};
  }

  TempDir dir_;
  CountingStore store_{dir_ / "versions"};
  int server_config_parses_ = 0;
  int identities_validated_ = 0;
};

TEST_F(PlanningTest, AddsTheNamesTheServerServesAndValidatesTheIdentitiesOnce) {
  auto plans = plan_certificates({prosody_request("a.example")}, options());
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].request.domains, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(plans[0].request.components, (std::vector<std::string>{"conference.a.example"}));
  EXPECT_EQ(plans[0].identities, identities_of(plans[0].request));
  EXPECT_EQ(identities_validated_, 1);
  EXPECT_EQ(plans[0].request.name, "a.example");
  EXPECT_TRUE(plans[0].issuer && plans[0].server);
}

TEST_F(PlanningTest, AWholeRunParsesEachServerConfigOnceAndReadsEachRecordOnce) {
  auto plans =
      plan_certificates({prosody_request("a.example"), prosody_request("c.example")}, options());
  load_records(plans, store_);
  std::vector<std::string> issued;
  bool ok = renew_each(
      store_, plans, std::time(nullptr), false,
      [&](const PlannedCertificate& plan, const RenewalOutcome& outcome) {
        if (outcome.issued) issued.push_back(plan.request.name);
      },
      [](const PlannedCertificate& plan, const std::string& error) {
        ADD_FAILURE() << plan.request.name << ": " << error;
      });
  EXPECT_TRUE(ok);
  EXPECT_EQ(issued, (std::vector<std::string>{"a.example", "c.example"}));
  EXPECT_EQ(server_config_parses_, 2) << "one per install target (cert_dir differs)";
  EXPECT_EQ(identities_validated_, 2) << "one per certificate";
  for (const auto& plan : plans)
    EXPECT_EQ(plan.identities, identities_of(plan.request)) << "the turn kept the plan's";
  EXPECT_EQ(store_.loads, (std::map<std::string, int>{{"a.example", 1}, {"c.example", 1}}));
  EXPECT_EQ(plans[0].record->current_version, 1) << "the plan holds the new record";
}

TEST_F(PlanningTest, ABadRequestIsAUsageErrorNamingItsOrigin) {
  CertificateRequest request;
  request.name = "bad";
  request.domains = {"-bad-.example"};
  try {
    plan_certificates({request}, options());
    FAIL() << "planned";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("test \"bad\": ", 0), 0u) << e.what();
  }
}

TEST_F(PlanningTest, AnIssuerThrowingJsonErrorsIsRecordedAndTheOthersStillIssue) {
  CertificateRequest broken;
  broken.name = "broken.example";
  broken.domains = {"broken.example"};
  CertificateRequest good = broken;
  good.name = good.domains[0] = "good.example";
  auto plans = plan_certificates({broken, good}, options());
  // An issuer whose CA answered JSON of an unexpected shape.
  auto json_type_error = std::make_unique<testing::FakeIssuer>("broken");
  json_type_error->issue_with = [](const IssuanceRequest&) -> IssuedCertificate {
    return {nlohmann::json("not an object").at("certificate").get<std::string>(), "", 0};
  };
  plans[0].issuer = guard_issuer(std::move(json_type_error));
  load_records(plans, store_);
  std::vector<std::string> failures;
  bool ok = renew_each(
      store_, plans, std::time(nullptr), false, [](auto&, auto&) {},
      [&](const PlannedCertificate& plan, const std::string& error) {
        failures.push_back(plan.request.name + ": " + error);
      });
  EXPECT_FALSE(ok) << "the CLI exits 1";
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("broken.example: issue certificate broken.example with issuer "
                             "broken: unexpected JSON"),
            std::string::npos)
      << failures[0];
  auto failed = store_.MemoryStore::load("broken.example");
  ASSERT_TRUE(failed && failed->last_attempt);
  EXPECT_FALSE(failed->last_attempt->ok);
  EXPECT_EQ(failed->consecutive_failures, 1);
  auto issued = store_.MemoryStore::load("good.example");
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->current_version, 1);
}

TEST_F(PlanningTest, AServerPluginThrowingFilesystemErrorsBecomesAnOperationError) {
  auto throwing = std::make_unique<testing::FakeServerPlugin>("throwing");
  throwing->on_install = [](const StoredVersion&) {
    throw std::filesystem::filesystem_error("copy", "/nonexistent/x",
                                            std::make_error_code(std::errc::permission_denied));
  };
  auto plugin = guard_server_plugin(std::move(throwing));
  try {
    plugin->install(StoredVersion{3, dir_ / "v3"});
    FAIL() << "installed";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("install v3 with server plugin throwing (/nonexistent/x)"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(PlanningTest, AStoredRecordIsPlannedWithTheNamesItsServerGainedWithoutAnotherRead) {
  CertificateRecord record;
  record.name = "a.example";
  record.request = prosody_request("a.example");
  auto plans = plan_stored_certificates({record}, options());
  PlannedCertificate& plan = plans.front();
  EXPECT_EQ(plan.request.domains, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(plan.request.key_type, record.request.key_type);
  ASSERT_TRUE(plan.record);
  EXPECT_FALSE(plan.issuer) << "made at its turn";
  EXPECT_TRUE(store_.loads.empty());
}

TEST_F(PlanningTest, AStoredRecordWhoseServerConfigIsGoneKeepsItsNamesAndGetsItsPluginAtItsTurn) {
  CertificateRecord record;
  record.name = "a.example";
  record.request = prosody_request("a.example");
  std::filesystem::remove(dir_ / "prosody.cfg.lua");
  auto plans = plan_stored_certificates({record}, options());
  PlannedCertificate& plan = plans.front();
  EXPECT_EQ(plan.request, record.request);
  EXPECT_FALSE(plan.server);
  EXPECT_THROW(complete_plan(plan), UsageError) << "the turn fails, in the record";
}

TEST_F(PlanningTest, CertificatesInstalledIntoOneTargetShareItsPlugin) {
  CertificateRequest a = prosody_request("a.example");
  CertificateRequest c = prosody_request("c.example");
  c.install = a.install;
  auto plans = plan_certificates({a, c}, options());
  EXPECT_EQ(server_config_parses_, 1);
  EXPECT_EQ(plans[0].server, plans[1].server);
}

}  // namespace
}  // namespace xmppcert
