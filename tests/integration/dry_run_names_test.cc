// Issue 23 item 12: the dry run of a certificate without XmppAddr names (--no-xmpp-addr) says
// so instead of printing an empty "XmppAddr=".
#include <gtest/gtest.h>

#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

TEST(DryRunNames, ACertificateWithoutXmppAddrSaysSoInsteadOfAnEmptyList) {
  TempDir dir;
  ProcessResult r = run_xmppcert({"enroll", "example.test", "--no-xmpp-addr", "--dry-run",
                                  "--state-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("XmppAddr=\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(no XmppAddr)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace xmppcert::testing
