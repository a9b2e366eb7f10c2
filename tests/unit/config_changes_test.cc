// What xmppcertd logs after re-reading its config.
#include "agent/config_changes.h"

#include <gtest/gtest.h>

namespace xmppcert::testing {
namespace {

CertificateRequest request(const std::string& name) {
  CertificateRequest r;
  r.name = name;
  r.domains = {name};
  return r;
}

TEST(ConfigChanges, NamesAddedRemovedAndChangedCertificates) {
  CertificateRequest changed = request("b.example");
  changed.components = {"conference"};
  changed.install = InstallTarget{"files", {{"fullchain", "/x"}}};
  auto lines = describe_config_changes({request("a.example"), request("b.example")},
                                       {changed, request("c.example")});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "b.example: components, install changed");
  EXPECT_EQ(lines[1], "c.example: added");
  EXPECT_EQ(lines[2], "a.example: removed, no longer managed");
}

TEST(ConfigChanges, NothingChangedIsEmpty) {
  EXPECT_TRUE(describe_config_changes({request("a.example")}, {request("a.example")}).empty());
}

}  // namespace
}  // namespace xmppcert::testing
