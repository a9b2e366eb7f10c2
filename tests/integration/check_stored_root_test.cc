// Issue 23 item 7: `xmppcert check DOMAIN` right after a good enroll verifies against the root
// stored with the certificate (the pinned foundation root; here the local CA's, whose own
// copy is moved away so that only the stored one is left), not "no CA to verify against".
#include <gtest/gtest.h>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

TEST(CheckStoredRoot, CheckVerifiesAgainstTheRootStoredWithTheCertificate) {
  if (!ProsodyServer::available()) GTEST_SKIP() << "prosody is not installed";
  ProsodyServer server("example.test");
  TempDir dir;
  nlohmann::json config = {
      {"certificates", {{"example.test", {{"install", server.install_settings()}}}}}};
  write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  ProcessResult enroll = run_xmppcert({"enroll", "--config", (dir / "config.json").string(),
                                       "--state-dir", (dir / "state").string()});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err << server.log();
  for (const auto& entry : fs::recursive_directory_iterator(dir / "state"))
    if (entry.path().filename() == "root.pem" &&
        entry.path().parent_path().parent_path().filename() != "example.test")
      fs::rename(entry.path(), entry.path().string() + ".moved");
  ProcessResult check =
      run_xmppcert({"check", "example.test", "--host", "127.0.0.1", "--port",
                    std::to_string(server.c2s_port()), "--state-dir", (dir / "state").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out.find("no CA to verify against"), std::string::npos) << check.out;
}

}  // namespace
}  // namespace xmppcert::testing
