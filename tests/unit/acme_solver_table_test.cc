#include <gtest/gtest.h>

#include <cstring>

#include "engine/errors.h"
#include "plugins/issuers/acme/settings.h"
#include "plugins/issuers/acme/solver_table.h"

namespace xmppcert::acme {
namespace {

nlohmann::json with_directory(nlohmann::json settings) {
  settings["directory"] = "https://ca.test/dir";
  return settings;
}

std::string chosen(const nlohmann::json& settings) {
  return solver_for(parse_acme_settings(with_directory(settings), "acme"), "acme").name;
}

TEST(AcmeSolverTable, NoSolverSettingChoosesTheBuiltInHttp01Responder) {
  EXPECT_EQ(chosen(nlohmann::json::object()), "http-01 responder");
  EXPECT_EQ(chosen({{"http01_port", 8080}}), "http-01 responder");
}

TEST(AcmeSolverTable, EachSolverSettingChoosesItsSolver) {
  EXPECT_EQ(chosen({{"webroot", "/var/www"}}), "http-01 webroot");
  EXPECT_EQ(chosen({{"dns01_hook", {"/bin/hook"}}}), "dns-01 hook");
  EXPECT_EQ(chosen({{"rfc2136_server", "192.0.2.53"}}), "dns-01 RFC 2136 update");
  EXPECT_EQ(chosen({{"tls_alpn01_port", 443}}), "tls-alpn-01 responder");
}

TEST(AcmeSolverTable, TheDefaultComesLastAndEveryOtherEntryNamesItsSetting) {
  auto table = solver_table();
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(table.back().selected_by, nullptr);
  for (size_t i = 0; i + 1 < table.size(); ++i) EXPECT_NE(table[i].selected_by, nullptr);
}

TEST(AcmeSolverTable, TwoSolverSettingsAreAUsageErrorListingEveryChoice) {
  try {
    parse_acme_settings(with_directory({{"webroot", "/var/www"}, {"tls_alpn01_port", 443}}),
                        "c.json: acme");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "c.json: acme: choose one of webroot, dns01_hook, rfc2136_server and "
                 "tls_alpn01_port");
  }
}

TEST(AcmeSolverTable, ChosenEntryBuildsASolverOfItsChallengeType) {
  AcmeSettings settings =
      parse_acme_settings(with_directory({{"dns01_hook", {"/bin/true"}}}), "acme");
  EXPECT_EQ(solver_for(settings, "acme").make(settings)->type(), "dns-01");
  settings = parse_acme_settings(with_directory({{"webroot", "/nonexistent"}}), "acme");
  EXPECT_EQ(solver_for(settings, "acme").make(settings)->type(), "http-01");
}

}  // namespace
}  // namespace xmppcert::acme
