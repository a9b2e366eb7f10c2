// The server plugins report every file their config reader read (the main config and what it
// includes) and the folders include globs name, so that xmppcertd watches them all.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/ejabberd/ejabberd_config.h"
#include "plugins/servers/ejabberd/ejabberd_plugin.h"
#include "plugins/servers/prosody/prosody_plugin.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

using Names = std::vector<std::string>;

bool contains(const std::vector<std::string>& list, const fs::path& path) {
  return std::find(list.begin(), list.end(), path.lexically_normal().string()) != list.end();
}

// Debian's layout: prosody.cfg.lua ends with Include "conf.d/*.cfg.lua".
TEST(ServerConfigIncludes, ProsodyReportsIncludedSnippetsAndTheirFolder) {
  TempDir dir;
  fs::create_directories(dir / "conf.d");
  write_text(dir / "prosody.cfg.lua", "VirtualHost \"localhost\"\nInclude \"conf.d/*.cfg.lua\"\n");
  write_text(
      dir / "conf.d" / "example.test.cfg.lua",
      "VirtualHost \"example.test\"\nComponent \"upload.example.test\" \"http_file_share\"\n");
  XmppServerPlugin plugin(kProsodyKind, {{"config", (dir / "prosody.cfg.lua").string()}},
                          "test.install");
  std::vector<std::string> files = plugin.server_config_files();
  EXPECT_TRUE(contains(files, dir / "prosody.cfg.lua"));
  EXPECT_TRUE(contains(files, dir / "conf.d" / "example.test.cfg.lua"));
  EXPECT_EQ(plugin.server_config_folders(), (Names{(dir / "conf.d").string()}));
  EXPECT_EQ(plugin.discover().components, (Names{"upload.example.test"}));
}

TEST(ServerConfigIncludes, ProsodyWatchesAnIncludedFolderThatIsStillEmpty) {
  TempDir dir;
  write_text(dir / "prosody.cfg.lua",
             "VirtualHost \"example.test\"\nInclude \"conf.d/*.cfg.lua\"\n");
  XmppServerPlugin plugin(kProsodyKind, {{"config", (dir / "prosody.cfg.lua").string()}},
                          "test.install");
  EXPECT_EQ(plugin.server_config_folders(), (Names{(dir / "conf.d").string()}));
}

TEST(ServerConfigIncludes, EjabberdReadsHostsFromIncludeConfigFileAsPathListOrMapping) {
  TempDir dir;
  write_text(dir / "hosts.yml", "hosts:\n  - other.example\n");
  write_text(dir / "muc.yml", "modules:\n  mod_muc: {}\n");
  write_text(dir / "ejabberd.yml",
             "hosts:\n  - example.org\n"
             "include_config_file:\n  hosts.yml:\n    allow_only: [hosts]\n  " +
                 (dir / "muc.yml").string() + ": {}\n");
  ServerFacts facts = read_ejabberd_config(dir / "ejabberd.yml");
  EXPECT_EQ(facts.names.domains, (Names{"example.org", "other.example"}));
  EXPECT_EQ(facts.names.components, (Names{"conference.example.org", "conference.other.example"}));

  write_text(dir / "ejabberd.yml", "hosts: [example.org]\ninclude_config_file: hosts.yml\n");
  XmppServerPlugin plugin(kEjabberdKind, {{"config", (dir / "ejabberd.yml").string()}},
                          "test.install");
  EXPECT_TRUE(contains(plugin.server_config_files(), dir / "hosts.yml"));
  EXPECT_EQ(plugin.discover().domains, (Names{"example.org", "other.example"}));
}

}  // namespace
}  // namespace xmppcert::testing
