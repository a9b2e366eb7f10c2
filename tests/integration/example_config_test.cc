// The examples an admin starts from (issue 17, finding 9): docs/xmppcert.example.json (the
// package's /usr/share/doc/xmppcert/examples/xmppcert.json) and the EXAMPLE of
// xmppcert.conf(5) are accepted by `xmppcert enroll --config FILE --dry-run`: no usage error,
// a plan for every certificate. Only the machine-specific paths are swapped for a temp dir's
// (the prosody config, the state dir) and the example's group for one that exists here.
#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = XMPPCERT_SOURCE_DIR;

class ExampleConfig : public ::testing::Test {
 protected:
  // `example` with its paths moved here; runs the dry run on it.
  ProcessResult dry_run(std::string example) {
    write_text(dir_ / "prosody.cfg.lua",
               "VirtualHost \"example.org\"\nComponent \"conference.example.org\" \"muc\"\n"
               "Component \"upload.example.org\" \"http_file_share\"\n");
    auto replace = [&](const std::string& from, const std::string& to) {
      for (size_t at = example.find(from); at != std::string::npos;
           at = example.find(from, at + to.size()))
        example.replace(at, from.size(), to);
    };
    replace("/etc/prosody/prosody.cfg.lua", (dir_ / "prosody.cfg.lua").string());
    replace("/var/lib/xmppcert", (dir_ / "state").string());
    replace("\"group\": \"xmpp\"",
            std::string("\"group\": \"") + getgrgid(getegid())->gr_name + "\"");
    write_text(dir_ / "xmppcert.json", example);
    return run_xmppcert({"enroll", "--config", (dir_ / "xmppcert.json").string(), "--dry-run"});
  }
  void expect_accepted(const ProcessResult& r) {
    EXPECT_NE(r.exit_code, 2) << r.err;
    // The live checks may fail here (acme.example does not exist); the config may not.
    for (const char* plan : {"example.org: would issue", "example.com: would issue"})
      EXPECT_NE(r.out.find(plan), std::string::npos) << plan << "\n" << r.out << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "state")) << "a dry run writes nothing";
  }
  TempDir dir_;
};

TEST_F(ExampleConfig, TheShippedExampleIsAcceptedByTheDryRun) {
  expect_accepted(dry_run(read_file(kSource / "docs" / "xmppcert.example.json")));
}

TEST_F(ExampleConfig, TheManPageExampleIsAcceptedByTheDryRun) {
  std::string man = read_file(kSource / "docs" / "man" / "xmppcert.conf.5");
  std::smatch block;
  ASSERT_TRUE(std::regex_search(man, block, std::regex(R"(\.SH EXAMPLE\n\.nf\n([\s\S]*?)\n\.fi)")));
  expect_accepted(dry_run(block[1]));
}

TEST_F(ExampleConfig, TheManPageNamesTheExampleWhereThePackageInstallsIt) {
  std::string man = read_file(kSource / "docs" / "man" / "xmppcert.conf.5");
  std::string installed = read_file(kSource / "debian" / "xmppcert.install");
  const std::string path = "usr/share/doc/xmppcert/examples/xmppcert.json";
  EXPECT_NE(man.find("/" + path), std::string::npos);
  EXPECT_NE(installed.find(path), std::string::npos);
  EXPECT_NE(read_file(kSource / "CMakeLists.txt")
                .find("docs/xmppcert.example.json DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples\n"
                      "        RENAME xmppcert.json"),
            std::string::npos);
}

}  // namespace
}  // namespace xmppcert::testing
