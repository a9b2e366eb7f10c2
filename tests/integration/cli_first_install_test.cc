// A first install into a server that is not running (issue 17, finding 8): the reload fails
// and the error asks whether the server runs instead of leaving the admin with the reload
// command's own words.
#include <gtest/gtest.h>

#include "tests/integration/cli_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(FirstInstall, IntoAStoppedProsodyFailsAskingWhetherProsodyRuns) {
  TempDir dir;
  write_text(dir / "prosody.cfg.lua", "pidfile = \"" + (dir / "prosody.pid").string() +
                                          "\"\nc2s_ports = { 15222 }\ncertificates = \"certs\"\n"
                                          "VirtualHost \"example.test\"\n");
  ProcessResult r =
      run_xmppcert({"enroll", "--server", "prosody", "--server-config",
                    (dir / "prosody.cfg.lua").string(), "--state-dir", (dir / "state").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("not ordered: prosody running"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is prosody running? xmppcert reloads a running server"), std::string::npos)
      << r.err;
  // Issue 23 item 12: nothing was issued, so nothing is left for the agent to retry forever.
  EXPECT_NE(r.err.find("nothing was issued, so no record is kept"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "state" / "certs" / "example.test" / "record.json"));
  ProcessResult status = run_xmppcert({"status", "--state-dir", (dir / "state").string()});
  EXPECT_EQ(status.out.find("example.test"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace xmppcert::testing
