// The issuers' declared settings: enroll flags, --help lines, secret keys kept out of records.
#include "engine/issuer_settings.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "engine/config.h"
#include "engine/errors.h"
#include "engine/request.h"
#include "plugins/registry.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

const SettingFlag& flag_named(const std::string& name) {
  for (const auto* declaration : issuer_settings_declarations())
    for (const auto& flag : declaration->flags)
      if (name == flag.flag) return flag;
  throw std::runtime_error("no flag " + name);
}

nlohmann::json applied(const std::string& name, std::optional<std::string> value) {
  nlohmann::json settings = nlohmann::json::object();
  apply_setting_flag(flag_named(name), value, settings, "enroll");
  return settings;
}

TEST(IssuerSettings, AcmeAndFoundationShareOneDeclarationAndLocalHasNone) {
  ASSERT_NE(issuer_settings_declaration("acme"), nullptr);
  EXPECT_EQ(issuer_settings_declaration("foundation"), issuer_settings_declaration("acme"));
  EXPECT_EQ(issuer_settings_declaration("local"), nullptr);
  EXPECT_EQ(issuer_settings_declarations().size(), 1u);
}

TEST(IssuerSettings, FlagsFillTheSameKeysAsTheConfigSection) {
  EXPECT_EQ(applied("--acme-directory", "https://ca/dir"),
            nlohmann::json({{"directory", "https://ca/dir"}}));
  EXPECT_EQ(applied("--acme-agree-tos", std::nullopt), nlohmann::json({{"agree_tos", true}}));
  EXPECT_EQ(applied("--http01-port", "8080"), nlohmann::json({{"http01_port", 8080}}));
  EXPECT_EQ(applied("--dns01-hook", "/bin/hook"), nlohmann::json({{"dns01_hook", {"/bin/hook"}}}));
  EXPECT_EQ(applied("--dns01-rfc2136", "192.0.2.53"),
            nlohmann::json({{"rfc2136_server", "192.0.2.53"}}));
  EXPECT_EQ(applied("--dns01-rfc2136", "ns.test:5353"),
            nlohmann::json({{"rfc2136_server", "ns.test"}, {"rfc2136_port", 5353}}));
}

TEST(IssuerSettings, BadPortInAFlagIsAUsageErrorNamingTheFlag) {
  try {
    applied("--tls-alpn01-port", "https");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "enroll: --tls-alpn01-port: expected a port number, got \"https\"");
  }
}

TEST(IssuerSettings, HelpListsEveryDeclaredFlagUnderItsHeadingButTheRefusedOnes) {
  const auto* declaration = issuer_settings_declaration("acme");
  std::string help = setting_flags_help(declaration->help_heading, declaration->flags);
  EXPECT_EQ(help.rfind(declaration->help_heading, 0), 0u) << help;
  for (const auto& flag : declaration->flags) {
    if (flag.kind == FlagValue::kRefused) continue;  // parsed only to be refused
    EXPECT_NE(help.find(std::string("  ") + flag.flag + " "), std::string::npos) << flag.flag;
  }
  EXPECT_NE(help.find("  --acme-directory URL  the CA's directory"), std::string::npos) << help;
  EXPECT_EQ(help.find("--acme-eab-hmac H"), std::string::npos) << help;
  EXPECT_NE(help.find("\n                        (base64url); or set XMPPCERT_EAB_HMAC"),
            std::string::npos)
      << help;
}

TEST(IssuerSettings, ASecretComesFromTheFileTheFlagNamesWithoutItsTrailingNewline) {
  testing::TempDir dir;
  testing::write_text(dir / "hmac", "c2VjcmV0\n");
  EXPECT_EQ(applied("--acme-eab-hmac-file", (dir / "hmac").string()),
            nlohmann::json({{"eab_hmac", "c2VjcmV0"}}));
}

TEST(IssuerSettings, AnUnreadableSecretFileIsAUsageErrorNamingTheFlagAndThePath) {
  try {
    applied("--acme-eab-hmac-file", "/nonexistent/hmac");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("enroll: --acme-eab-hmac-file: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent/hmac"), std::string::npos) << e.what();
  }
}

TEST(IssuerSettings, ASecretInArgvIsRefusedPointingToTheFileAndTheEnvironment) {
  try {
    applied("--acme-eab-hmac", "c2VjcmV0");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.find("c2VjcmV0"), std::string::npos) << message;
    EXPECT_NE(message.find("--acme-eab-hmac-file FILE"), std::string::npos) << message;
    EXPECT_NE(message.find("XMPPCERT_EAB_HMAC"), std::string::npos) << message;
  }
}

TEST(IssuerSettings, TheEnvironmentFillsASecretOnlyWithItsFlagAndNeverOverAFile) {
  const SecretVariable& variable = issuer_settings_declaration("acme")->secret_variables[0];
  ::setenv(variable.variable, "ZW52", 1);
  nlohmann::json without_flag = nlohmann::json::object();
  apply_secret_variable(variable, false, without_flag);
  EXPECT_TRUE(without_flag.empty());
  nlohmann::json with_flag = nlohmann::json::object();
  apply_secret_variable(variable, true, with_flag);
  EXPECT_EQ(with_flag, nlohmann::json({{variable.key, "ZW52"}}));
  nlohmann::json from_file = {{variable.key, "ZmlsZQ"}};
  apply_secret_variable(variable, true, from_file);
  EXPECT_EQ(from_file[variable.key], "ZmlsZQ");
  ::unsetenv(variable.variable);
}

TEST(IssuerSettings, ASettingsErrorOfARequestFromFlagsNamesTheFlag) {
  const auto& declaration = *issuer_settings_declaration("acme");
  EXPECT_EQ(with_setting_flag_named("command line.acme.directory: an https:// URL is required",
                                    "command line", declaration),
            "command line: --acme-directory: an https:// URL is required");
  EXPECT_EQ(with_setting_flag_named("command line.acme.rfc2136_port: expected a port number",
                                    "command line", declaration),
            "command line: --dns01-rfc2136: expected a port number");
  EXPECT_EQ(with_setting_flag_named("c.json: certificates.\"a\".acme.directory: required",
                                    "command line", declaration),
            "c.json: certificates.\"a\".acme.directory: required");
}

CertificateRequest request_of(const std::string& issuer, const nlohmann::json& settings) {
  CertificateRequest request;
  request.name = "a.org";
  request.domains = {"a.org"};
  request.issuer = issuer;
  request.issuer_settings = settings;
  return request;
}

TEST(IssuerSettings, EverySecretKeyIsLeftOutOfTheStoredRequest) {
  CertificateRequest request = request_of("acme", {{"directory", "https://ca/dir"}});
  for (const char* secret : issuer_settings_declaration("acme")->secret_keys)
    request.issuer_settings[secret] = "c2VjcmV0";
  nlohmann::json stored = request_to_json(request);
  EXPECT_EQ(stored.dump().find("c2VjcmV0"), std::string::npos) << stored.dump();
  EXPECT_EQ(stored["acme"]["directory"], "https://ca/dir");
}

TEST(IssuerSettings, SettingsForAnIssuerWithoutASectionAreNotStored) {
  EXPECT_THROW(request_to_json(request_of("local", {{"eab_hmac", "c2VjcmV0"}})), UsageError);
}

TEST(IssuerSettings, WithoutDeclarationsNoSectionIsKnown) {
  auto declared = issuer_settings_sections();
  declare_issuer_settings_sections({});
  EXPECT_THROW(parse_config(R"({"certificates": {"a.org": {"acme": {}}}})", "c.json"), UsageError);
  EXPECT_THROW(request_to_json(request_of("acme", {{"eab_hmac", "c2VjcmV0"}})), UsageError);
  declare_issuer_settings_sections(declared);
}

}  // namespace
}  // namespace xmppcert
