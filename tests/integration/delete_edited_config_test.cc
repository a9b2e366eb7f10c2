// Issue 23 item 5: `delete --remove-files` of a certificate whose install added lines to
// ejabberd.yml (--edit-config) takes those lines out again, keeping a backup, so that
// `ejabberdctl reload_config` still works (it fails on a certfiles PEM that is gone).
#include <gtest/gtest.h>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

TEST(DeleteEditedConfig, RemoveFilesTakesOutTheEjabberdLinesEditConfigAddedAndReloadWorks) {
  if (!EjabberdServer::available()) GTEST_SKIP() << "ejabberd is not installed";
  EjabberdServer server("example.test");
  TempDir dir;
  const std::string state = (dir / "state").string();
  // The fixture's config already loads example.test.pem; "second" is a new file, which
  // --edit-config adds to certfiles.
  nlohmann::json main = server.install_settings();
  nlohmann::json second = server.install_settings();
  second["edit_config"] = true;
  // Both certificates name example.test, and which of the two ejabberd serves is its own
  // choice (an ASan run saw it keep the first): this test is about the config lines, so the
  // second install is not checked over STARTTLS.
  second["verify"] = false;
  nlohmann::json config = {{"certificates",
                            {{"example.test", {{"install", main}}},
                             {"second", {{"domains", {"example.test"}}, {"install", second}}}}}};
  write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  ProcessResult enroll =
      run_xmppcert({"enroll", "--config", (dir / "config.json").string(), "--state-dir", state});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err << server.log();
  const std::string edited = read_file(server.config());
  ASSERT_NE(edited.find("second.pem"), std::string::npos) << edited;

  ProcessResult removed =
      run_xmppcert({"delete", "second", "--remove-files", "--state-dir", state});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(read_file(server.config()).find("second.pem"), std::string::npos)
      << read_file(server.config());
  bool backup = false;
  for (const auto& entry : fs::directory_iterator(server.config().parent_path()))
    backup |= entry.path().filename().string().rfind("ejabberd.yml.xmppcert-backup-", 0) == 0;
  EXPECT_TRUE(backup);
  ProcessResult reload = run_process(server.ctl({"reload_config"}));
  EXPECT_EQ(reload.exit_code, 0) << reload.out << reload.err << server.log();
}

}  // namespace
}  // namespace xmppcert::testing
