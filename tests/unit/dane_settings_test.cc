#include "dane/dane_settings.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "dane/tlsa_dns.h"
#include "dane/tlsa_publishers.h"
#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "tests/support/fake_command_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

std::string config_error(const std::string& dane) {
  return testing::error_message_of<UsageError>([&] {
    parse_config(R"({"certificates": {"example.org": {"dane": )" + dane + "}}}", "xmppcert.json");
  });
}

TEST(DaneSettings, ReadsEveryKeyAndSurvivesTheRecord) {
  Config config = parse_config(R"({"certificates": {"example.org": {
    "dane": {"publish": "rfc2136", "ports": [5269], "ttl": 2, "server": "127.0.0.1",
             "port": 5353, "key_file": "/etc/xmppcert/tsig.key", "zone": "Example.ORG",
             "srv_targets": ["XMPP.example.net"]},
    "posh": {"dir": "/var/www/posh", "expires": "12h"}}}})",
                               "xmppcert.json");
  const CertificateRequest& request = config.certificates.at(0);
  std::optional<DaneSettings> dane = dane_settings_of(request);
  ASSERT_TRUE(dane);
  EXPECT_EQ(dane->publish, "rfc2136");
  EXPECT_EQ(dane->ports, std::vector<int>{5269});
  EXPECT_EQ(dane->ttl, std::chrono::seconds(2));
  EXPECT_EQ(dane->port, 5353);
  EXPECT_EQ(dane->zone, "example.org");
  EXPECT_EQ(dane->srv_targets, std::vector<std::string>{"xmpp.example.net"});
  std::optional<PoshSettings> posh = posh_settings_of(request);
  ASSERT_TRUE(posh);
  EXPECT_EQ(posh->expires, std::chrono::hours(12));
  CertificateRequest back = request_from_json(request_to_json(request), request.name, {}, "record");
  EXPECT_EQ(back, request);
}

TEST(DaneSettings, BadValuesNameTheFileAndTheKey) {
  EXPECT_EQ(config_error(R"({"publish": "carrier-pigeon"})"),
            "xmppcert.json: certificates.\"example.org\".dane.publish: expected \"rfc2136\", "
            "\"hook\" or \"print\", got \"carrier-pigeon\"");
  EXPECT_NE(config_error(R"({"publish": "print", "ports": [0]})").find("dane.ports: expected port"),
            std::string::npos);
  EXPECT_NE(
      config_error(R"({"publish": "print", "ttl": "1h"})").find("dane.ttl: expected an integer"),
      std::string::npos);
  EXPECT_NE(config_error(R"({"publish": "rfc2136"})").find("needs \"server\""), std::string::npos);
  EXPECT_NE(
      config_error(R"({"publish": "rfc2136", "server": "ns1\nupdate add x"})").find("dane.server"),
      std::string::npos);
  EXPECT_NE(config_error(R"({"publish": "rfc2136", "server": "::1", "key_file": "tsig.key"})")
                .find("dane.key_file: expected an absolute path"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"publish": "hook", "hook": ["tlsa.sh"]})")
                .find("dane.hook: expected an absolute path"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"publish": "print", "zone": "bad zone"})").find("dane.zone"),
            std::string::npos);
  EXPECT_NE(
      config_error(R"({"publish": "print", "srv_targets": ["a b"]})").find("dane.srv_targets"),
      std::string::npos);
  EXPECT_NE(config_error(R"({"publish": "print", "tll": 3})").find("unknown key \"tll\""),
            std::string::npos);
}

TEST(DaneSettings, PoshNeedsAnAbsoluteDir) {
  EXPECT_NE(testing::error_message_of<UsageError>([] {
              parse_config(R"({"certificates": {"example.org": {"posh": {"dir": "posh"}}}})",
                           "xmppcert.json");
            }).find("posh.dir: expected an absolute path"),
            std::string::npos);
}

TEST(TlsaDns, DigOutputKeepsOnlyThreeOneOneRecords) {
  std::string hash(64, 'a');
  std::string dig = "3 1 1 " + std::string(56, 'A') + " " + std::string(8, 'A') + "\n" + "2 0 1 " +
                    std::string(64, 'b') + "\n" + "3 1 1 " + std::string(64, 'c') +
                    "\n;; connection timed out\n";
  EXPECT_EQ(parse_dig_tlsa(dig), (std::vector<std::string>{hash, std::string(64, 'c')}));
}

TEST(TlsaDns, NamesAndHashesAreCheckedBeforeTheyReachAScript) {
  EXPECT_NO_THROW(require_tlsa_owner("_5269._tcp.example.org."));
  EXPECT_THROW(require_tlsa_owner("_5269._tcp.example.org.\nupdate delete example.org."),
               OperationError);
  EXPECT_THROW(require_spki_hash("3 1 1 aa"), OperationError);
}

}  // namespace
}  // namespace xmppcert

namespace xmppcert {
namespace {

// "publish": "hook": the change arrives in XMPPCERT_TLSA_* variables of an argv run.
TEST(TlsaDns, TheHookGetsOwnersAddedAndRemovedHashesAndTheTtl) {
  testing::FakeCommandRunner commands;
  DaneSettings settings;
  settings.publish = "hook";
  settings.hook = {"/usr/local/bin/tlsa-hook", "--zone", "example.org"};
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
  make_tlsa_publisher(settings, "example.org", commands)
      ->change({"_5269._tcp.example.org.", "_5222._tcp.example.org."}, {a, b}, {c},
               std::chrono::seconds(300));
  ASSERT_EQ(commands.calls().size(), 1u) << "one run per change";
  testing::CommandCall call = commands.calls().at(0);
  EXPECT_EQ(call.argv, settings.hook);
  EXPECT_EQ(call.variable("XMPPCERT_TLSA_OWNERS"),
            "_5269._tcp.example.org. _5222._tcp.example.org.");
  EXPECT_EQ(call.variable("XMPPCERT_TLSA_ADD"), a + " " + b);
  EXPECT_EQ(call.variable("XMPPCERT_TLSA_REMOVE"), c);
  EXPECT_EQ(call.variable("XMPPCERT_TLSA_TTL"), "300");
}

TEST(TlsaDns, AFailingHookIsAnOperationErrorNamingIt) {
  DaneSettings settings;
  settings.publish = "hook";
  settings.hook = {"/bin/false"};
  std::string message = testing::error_message_of<OperationError>([&] {
    make_tlsa_publisher(settings, "example.org")
        ->change({"_5269._tcp.example.org."}, {std::string(64, 'a')}, {}, std::chrono::seconds(1));
  });
  EXPECT_NE(message.find("TLSA hook"), std::string::npos) << message;
}

}  // namespace
}  // namespace xmppcert
