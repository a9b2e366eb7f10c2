// Issue 12 #15: numbers and modes from a config or a flag are bounded, and every bad one is a
// UsageError (exit 2) naming where it came from, never a stray std::out_of_range (exit 1).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/clock.h"
#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/json_fields.h"
#include "plugins/servers/common/install_settings.h"
#include "plugins/servers/ejabberd/ejabberd_config.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(InputBounds, AZeroValidityIsRefused) {
  EXPECT_NE(error_message_of<UsageError>([] { parse_validity("0d"); }).find("shorter than"), std::string::npos);
  EXPECT_NE(error_message_of<UsageError>([] { parse_validity("0s"); }), "");
  EXPECT_NE(error_message_of<UsageError>([] {
              parse_config(R"({"certificates": {"example.org": {"validity": "0d"}}})", "x.json");
            }).find("x.json"),
            std::string::npos);
  EXPECT_EQ(parse_validity("2s"), std::chrono::seconds(2));
}

TEST(InputBounds, AHugeDurationIsAUsageErrorNotAnException) {
  EXPECT_NE(error_message_of<UsageError>([] { parse_duration("99999999999999999999999d"); }).find("longer than"),
            std::string::npos);
  EXPECT_NE(error_message_of<UsageError>([] { parse_duration("36601d"); }), "");
  EXPECT_EQ(parse_duration("36600d"), kMaxDuration);
}

TEST(InputBounds, AHugeNumericOwnerIsAUsageError) {
  EXPECT_NE(error_message_of<UsageError>([] { lookup_user("99999999999999999999"); }).find("out of range"),
            std::string::npos);
  EXPECT_NE(error_message_of<UsageError>([] { lookup_group("4294967295"); }), "");
  EXPECT_EQ(lookup_user("0"), 0u);
}

TEST(InputBounds, ModesWithSetuidSetgidOrStickyBitsAreRefused) {
  for (const char* mode : {"6777", "4644", "1644"}) {
    nlohmann::json settings = {{"cert_mode", mode}};
    JsonFields fields(settings, "cfg.json: install");
    EXPECT_NE(error_message_of<UsageError>([&] { parse_ownership(fields, std::nullopt); }).find("setuid"),
              std::string::npos)
        << mode;
  }
}

TEST(InputBounds, AnEjabberdTypeErrorNamesFileAndLine) {
  TempDir dir;
  write_text(dir / "ejabberd.yml",
             "hosts: [example.org]\nlisten:\n  - module: [a, b]\n    port: 5222\n");
  std::string error = error_message_of<UsageError>([&] { read_ejabberd_config(dir / "ejabberd.yml"); });
  EXPECT_NE(error.find((dir / "ejabberd.yml").string() + ":3"), std::string::npos) << error;
}

// Found by the ejabberd_config fuzz target: an include naming the config's own folder made
// yaml-cpp throw std::ios_failure, which no caller catches.
TEST(InputBounds, AnEjabberdIncludeThatIsAFolderIsAUsageErrorNamingIt) {
  TempDir dir;
  write_text(dir / "ejabberd.yml", "hosts: [example.org]\ninclude_config_file: .\n");
  std::string error = error_message_of<UsageError>([&] { read_ejabberd_config(dir / "ejabberd.yml"); });
  EXPECT_NE(error.find("read ejabberd config " + (dir / ".").string()), std::string::npos) << error;
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace xmppcert::testing
