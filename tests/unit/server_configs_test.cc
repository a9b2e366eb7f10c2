// Reading the servers' own configs (discovery, ports, referenced files) and what the plugins
// tell the admin when the config does not use the installed files yet.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "engine/errors.h"
#include "engine/log.h"
#include "engine/store.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/ejabberd/ejabberd_config.h"
#include "plugins/servers/ejabberd/ejabberd_plugin.h"
#include "plugins/servers/jabberd14/jabberd14_plugin.h"
#include "plugins/servers/jabberd2/jabberd2_plugin.h"
#include "plugins/servers/prosody/prosody_config.h"
#include "plugins/servers/prosody/prosody_plugin.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

using Names = std::vector<std::string>;

TEST(ProsodyConfig, FindsVirtualHostsComponentsAndIncludesButNotComments) {
  TempDir dir;
  fs::create_directories(dir / "conf.d");
  write_text(dir / "prosody.cfg.lua",
             "c2s_ports = { 15222, 15223 } -- first one probed\n"
             "s2s_ports = { 15269 }\n"
             "interfaces = { \"127.0.0.2\" }\n"
             "certificates = \"/etc/ssl/xmpp\"\n"
             "-- VirtualHost \"commented.example\"\n"
             "VirtualHost \"example.org\"\n"
             "  ssl = { certificate = \"/x/example.org.crt\"; key = \"/x/example.org.key\" }\n"
             "Component \"conference.example.org\" \"muc\"\n"
             "Include \"conf.d/*.cfg.lua\"\n");
  write_text(dir / "conf.d" / "other.cfg.lua",
             "VirtualHost 'other.example'\nComponent 'upload.other.example' 'http_file_share'\n");
  ServerFacts facts = read_prosody_config(dir / "prosody.cfg.lua");
  EXPECT_EQ(facts.names.domains, (Names{"example.org", "other.example"}));
  EXPECT_EQ(facts.names.components, (Names{"conference.example.org", "upload.other.example"}));
  ASSERT_TRUE(facts.c2s && facts.s2s);
  EXPECT_EQ(facts.c2s->port, 15222);
  EXPECT_EQ(facts.s2s->port, 15269);
  EXPECT_EQ(facts.c2s->host, "127.0.0.2");
  EXPECT_EQ(facts.cert_dir, "/etc/ssl/xmpp");
  EXPECT_TRUE(config_loads(facts, "/x/example.org.crt"));
}

TEST(ProsodyConfig, S2sInterfacesOverrideInterfacesForTheS2sProbe) {
  TempDir dir;
  write_text(dir / "prosody.cfg.lua",
             "interfaces = { \"127.0.0.1\" }\ns2s_interfaces = { \"127.0.0.2\" }\n"
             "VirtualHost \"example.org\"\n");
  ServerFacts facts = read_prosody_config(dir / "prosody.cfg.lua");
  EXPECT_EQ(facts.c2s->host, "127.0.0.1");
  EXPECT_EQ(facts.s2s->host, "127.0.0.2");
}

TEST(ProsodyConfig, DefaultsToPorts5222And5269AndTheCertsFolderBesideTheConfig) {
  TempDir dir;
  write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
  ServerFacts facts = read_prosody_config(dir / "prosody.cfg.lua");
  EXPECT_EQ(facts.c2s->port, 5222);
  EXPECT_EQ(facts.s2s->port, 5269);
  EXPECT_EQ(facts.cert_dir, dir / "certs");
}

TEST(ProsodyConfig, AVirtualHostWithoutANameIsAnErrorNamingFileAndLine) {
  TempDir dir;
  write_text(dir / "prosody.cfg.lua", "VirtualHost \"ok.example\"\nVirtualHost example\n");
  EXPECT_EQ(error_message_of<UsageError>([&] { read_prosody_config(dir / "prosody.cfg.lua"); }),
            (dir / "prosody.cfg.lua").string() + ":2: VirtualHost without a quoted name");
}

TEST(EjabberdConfig, FindsHostsAliasesModuleHostsListenersAndCertfiles) {
  TempDir dir;
  write_text(dir / "ejabberd.yml",
             "hosts:\n  - example.org\n  - example.net\n"
             "hosts_alias:\n  alias.example: example.org\n"
             "certfiles:\n  - /etc/ejabberd/xmppcert/example.org.pem\n"
             "s2s_cafile: /etc/ejabberd/ca.pem\n"
             "listen:\n"
             "  - port: 5443\n    module: ejabberd_http\n"
             "  - port: 15222\n    ip: \"::\"\n    module: ejabberd_c2s\n"
             "  - port: 15269\n    module: ejabberd_s2s_in\n"
             "modules:\n"
             "  mod_muc: {}\n"
             "  mod_http_upload:\n    host: \"files.@HOST@\"\n"
             "  mod_roster: {}\n");
  ServerFacts facts = read_ejabberd_config(dir / "ejabberd.yml");
  EXPECT_EQ(facts.names.domains, (Names{"example.org", "example.net", "alias.example"}));
  EXPECT_EQ(facts.names.components,
            (Names{"conference.example.org", "conference.example.net", "conference.alias.example",
                   "files.example.org", "files.example.net", "files.alias.example"}));
  EXPECT_EQ(facts.c2s->port, 15222);
  EXPECT_EQ(facts.c2s->host, "::");
  EXPECT_EQ(facts.s2s->port, 15269);
  EXPECT_TRUE(config_loads(facts, "/etc/ejabberd/xmppcert/example.org.pem"));
  EXPECT_TRUE(config_trusts(facts, "/etc/ejabberd/ca.pem"));
}

// Found by the fuzzer in CI: "@HOST@" inside a host name made the module-host expansion loop
// for ever.
TEST(EjabberdConfig, AHostNameContainingTheHostMarkerIsExpandedOnceNotForEver) {
  TempDir dir;
  write_text(dir / "ejabberd.yml",
             "hosts: [\"a.@HOST@\"]\n"
             "modules:\n  mod_muc: {}\n");
  ServerFacts facts = read_ejabberd_config(dir / "ejabberd.yml");
  EXPECT_EQ(facts.names.components, (Names{"conference.a.@HOST@"}));
}

TEST(EjabberdConfig, ASyntaxErrorNamesFileAndLine) {
  TempDir dir;
  write_text(dir / "ejabberd.yml", "hosts:\n  - example.org\nlisten: [\n");
  std::string error =
      error_message_of<UsageError>([&] { read_ejabberd_config(dir / "ejabberd.yml"); });
  EXPECT_EQ(error.rfind((dir / "ejabberd.yml").string() + ":", 0), 0u) << error;
}

TEST(Jabberd2Config, FindsIdsPemfilesPortsAndPidfiles) {
  TempDir dir;
  write_text(dir / "sm.xml", "<sm><local><id>example.org</id></local></sm>");
  write_text(dir / "c2s.xml",
             "<c2s><pidfile>/run/c2s.pid</pidfile><local>"
             "<id pemfile='/etc/jabberd2/example.org.pem'>example.org</id>"
             "<id>second.example</id><ip>0.0.0.0</ip><port>15222</port></local></c2s>");
  write_text(dir / "s2s.xml",
             "<s2s><pidfile>/run/s2s.pid</pidfile><local><pemfile>/etc/jabberd2/s2s.pem</pemfile>"
             "<cachain>/etc/jabberd2/ca.pem</cachain></local></s2s>");
  ServerFacts facts = read_jabberd2_config(dir.path());
  EXPECT_EQ(facts.names.domains, (Names{"example.org", "second.example"}));
  EXPECT_EQ(facts.host_files.at("example.org"), "/etc/jabberd2/example.org.pem");
  EXPECT_EQ(facts.c2s->port, 15222);
  EXPECT_EQ(facts.s2s->port, 5269);
  EXPECT_EQ(facts.pidfiles.at("c2s"), "/run/c2s.pid");
  EXPECT_EQ(facts.pidfiles.at("s2s"), "/run/s2s.pid");
  EXPECT_TRUE(config_trusts(facts, "/etc/jabberd2/ca.pem"));
}

TEST(Jabberd2Config, MalformedXmlNamesFileAndLine) {
  TempDir dir;
  write_text(dir / "c2s.xml", "<c2s>\n<local>\n<id>x</local></c2s>");
  write_text(dir / "s2s.xml", "<s2s/>");
  std::string error = error_message_of<UsageError>([&] { read_jabberd2_config(dir.path()); });
  EXPECT_EQ(error.rfind((dir / "c2s.xml").string() + ":3: ", 0), 0u) << error;
}

const char* const kJabberXml = R"(<jabber>
  <service id="sessions">
    <host><jabberd:cmdline flag="h">example.org</jabberd:cmdline></host>
    <host>second.example</host>
  </service>
  <service id="conference.example.org">
    <host>conference.example.org</host>
  </service>
  <service id="c2s"><load><pthsock_client>./pthsock/pthsock_client.so</pthsock_client></load></service>
  <io><ssl><key ip="192.0.2.1">/etc/jabber/old.pem</key></ssl></io>
</jabber>
)";

TEST(Jabberd14Config, SessionHostsAreDomainsOtherServiceHostsAreComponents) {
  TempDir dir;
  write_text(dir / "jabber.xml", kJabberXml);
  ServerFacts facts = read_jabberd14_config(dir / "jabber.xml");
  EXPECT_EQ(facts.names.domains, (Names{"example.org", "second.example"}));
  EXPECT_EQ(facts.names.components, (Names{"conference.example.org"}));
  EXPECT_TRUE(config_loads(facts, "/etc/jabber/old.pem"));
  EXPECT_FALSE(facts.c2s);
}

TEST(Jabberd14Config, HostsFromIncludedFilesCountAndTheFilesAreListedForWatching) {
  TempDir dir;
  fs::create_directories(dir / "jabber.d");
  write_text(dir / "jabber.xml",
             "<jabber>\n<service id='sessions'><host>example.org</host>\n"
             "<jabberd:include>jabber.d/hosts.xml</jabberd:include></service>\n"
             "<jabberd:include>jabber.d/muc.xml</jabberd:include>\n</jabber>\n");
  // Same root name as the include's parent: its children go in; otherwise the root itself.
  write_text(dir / "jabber.d" / "hosts.xml", "<service><host>second.example</host></service>\n");
  write_text(dir / "jabber.d" / "muc.xml",
             "<service id='muc'><host>conference.example.org</host>"
             "<jabberd:include>upload.xml</jabberd:include></service>\n");
  write_text(dir / "jabber.d" / "upload.xml", "<host>upload.example.org</host>\n");
  ServerFacts facts = read_jabberd14_config(dir / "jabber.xml");
  EXPECT_EQ(facts.names.domains, (Names{"example.org", "second.example"}));
  EXPECT_EQ(facts.names.components, (Names{"conference.example.org", "upload.example.org"}));
  std::vector<fs::path> expected = {dir / "jabber.d" / "hosts.xml", dir / "jabber.d" / "muc.xml",
                                    dir / "jabber.d" / "upload.xml"};
  EXPECT_EQ(facts.config_files, expected);
}

TEST(Jabberd14Config, AnIncludeLoopOrAMissingIncludeIsAnErrorNamingTheFile) {
  TempDir dir;
  write_text(dir / "jabber.xml", "<jabber><jabberd:include>jabber.xml</jabberd:include></jabber>");
  std::string loop =
      error_message_of<UsageError>([&] { read_jabberd14_config(dir / "jabber.xml"); });
  EXPECT_NE(loop.find("nested more than 20 deep"), std::string::npos) << loop;
  write_text(dir / "jabber.xml", "<jabber><jabberd:include>gone.xml</jabberd:include></jabber>");
  std::string missing =
      error_message_of<UsageError>([&] { read_jabberd14_config(dir / "jabber.xml"); });
  EXPECT_NE(missing.find((dir / "gone.xml").string()), std::string::npos) << missing;
}

class PluginFilesTest : public ::testing::Test {
 protected:
  StoredVersion version() {
    return MemoryStore(dir / "versions")
        .write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n"});
  }
  TempDir dir;
};

TEST_F(PluginFilesTest, Jabberd14InstallsACombinedPemRunsTheRestartArgvAndSaysWhatToAdd) {
  write_text(dir / "jabber.xml", kJabberXml);
  XmppServerPlugin plugin(kJabberd14Kind,
                          {{"config", (dir / "jabber.xml").string()},
                           {"cert_dir", (dir / "certs").string()},
                           {"reload", {"touch", (dir / "restarted").string()}}},
                          "test.install");
  StoredVersion v = version();
  plugin.install(v);
  EXPECT_EQ(read_file(dir / "certs" / "example.org.pem"), "KEY\nCERT\nCHAIN\n");
  EXPECT_EQ(file_mode(dir / "certs" / "example.org.pem") & 0007, 0u);
  plugin.reload();
  EXPECT_TRUE(fs::exists(dir / "restarted"));
  EXPECT_EQ(plugin.missing_config(v),
            (Names{"<io><ssl><key ip='0.0.0.0'>" + (dir / "certs" / "example.org.pem").string() +
                   "</key></ssl></io>"}));
  EXPECT_TRUE(plugin.probe_targets("example.org").empty())
      << "jabberd 1.4's ports are not in its config: no probe unless configured";
}

TEST_F(PluginFilesTest, EjabberdSaysWhichCertfilesAndS2sCafileLinesToAdd) {
  write_text(dir / "ejabberd.yml", "hosts: [example.org]\ncertfiles: [/etc/old.pem]\n");
  write_text(dir / "ca.pem", "ROOT\n");
  XmppServerPlugin plugin(
      kEjabberdKind,
      {{"config", (dir / "ejabberd.yml").string()}, {"trust_anchor", (dir / "ca.pem").string()}},
      "test.install");
  StoredVersion v = version();
  plugin.install(v);
  fs::path pem = dir / "xmppcert" / "example.org.pem";
  fs::path ca = dir / "xmppcert" / "xmppcert-trust-anchor.pem";
  EXPECT_EQ(read_file(ca), "ROOT\n");
  EXPECT_EQ(plugin.missing_config(v), (Names{"certfiles:", "  - \"" + pem.string() + "\"",
                                             "s2s_cafile: \"" + ca.string() + "\""}));
}

TEST_F(PluginFilesTest, EjabberdInstallMovesTheMtimeForwardEvenWithinOneSecond) {
  write_text(dir / "ejabberd.yml", "hosts: [example.org]\n");
  XmppServerPlugin plugin(kEjabberdKind, {{"config", (dir / "ejabberd.yml").string()}},
                          "test.install");
  StoredVersion v = version();
  fs::path pem = dir / "xmppcert" / "example.org.pem";
  std::vector<std::time_t> mtimes;
  for (int i = 0; i < 3; ++i) {
    plugin.install(v);
    struct stat st {};
    ASSERT_EQ(::stat(pem.c_str(), &st), 0);
    mtimes.push_back(st.st_mtim.tv_sec);
  }
  EXPECT_LT(mtimes[0], mtimes[1]);
  EXPECT_LT(mtimes[1], mtimes[2]);
}

TEST_F(PluginFilesTest, ProsodyConfigUsingTheCertsFolderNeedsNoChange) {
  write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
  XmppServerPlugin plugin(kProsodyKind, {{"config", (dir / "prosody.cfg.lua").string()}},
                          "test.install");
  StoredVersion v = version();
  plugin.install(v);
  EXPECT_EQ(read_file(dir / "certs" / "example.org.key"), "KEY\n");
  EXPECT_EQ(read_file(dir / "certs" / "example.org.crt"), "CERT\nCHAIN\n");
  EXPECT_TRUE(plugin.missing_config(v).empty());
  EXPECT_EQ(plugin.probe_targets("example.org"),
            (std::vector<ProbeTarget>{{"127.0.0.1", 5222, "example.org", false},
                                      {"127.0.0.1", 5269, "example.org", true}}));
}

TEST_F(PluginFilesTest, RollbackPutsBackTheReplacedFilesByteForByte) {
  write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
  fs::create_directories(dir / "certs");
  write_text(dir / "certs" / "example.org.key", "OLD KEY\n");
  fs::permissions(dir / "certs" / "example.org.key", fs::perms(0600));
  XmppServerPlugin plugin(kProsodyKind, {{"config", (dir / "prosody.cfg.lua").string()}},
                          "test.install");
  plugin.install(version());
  ASSERT_TRUE(plugin.rollback());
  EXPECT_EQ(read_file(dir / "certs" / "example.org.key"), "OLD KEY\n");
  EXPECT_EQ(file_mode(dir / "certs" / "example.org.key"), 0600u);
  EXPECT_FALSE(fs::exists(dir / "certs" / "example.org.crt")) << "it did not exist before";
}

// A separate key file gets key_mode, the certificate cert_mode: the key given the
// certificate's 0644 would be readable by every local user.
TEST_F(PluginFilesTest, ProsodyInstallsTheKeyWithKeyModeAndTheCertificateWithCertMode) {
  write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
  XmppServerPlugin plugin(
      kProsodyKind,
      {{"config", (dir / "prosody.cfg.lua").string()}, {"key_mode", "0640"}, {"cert_mode", "0644"}},
      "test.install");
  plugin.install(version());
  EXPECT_EQ(file_mode(dir / "certs" / "example.org.key"), 0640u);
  EXPECT_EQ(file_mode(dir / "certs" / "example.org.crt"), 0644u);
  XmppServerPlugin defaults(kProsodyKind, {{"config", (dir / "prosody.cfg.lua").string()}},
                            "test.install");
  defaults.install(version());
  EXPECT_EQ(file_mode(dir / "certs" / "example.org.key") & 0007, 0u) << "not for others";
}

TEST_F(PluginFilesTest, Jabberd2RestartNamesAProcessWithoutPidfileIsAUsageError) {
  write_text(dir / "c2s.xml", "<c2s><local><id>example.org</id></local></c2s>");
  write_text(dir / "s2s.xml", "<s2s/>");
  std::string error = error_message_of<UsageError>([&] {
    XmppServerPlugin(kJabberd2Kind,
                     {{"config", dir.path().string()}, {"restart", {{"c2s", {"/bin/true"}}}}},
                     "cfg.json: certificates.\"example.org\".install");
  });
  EXPECT_EQ(error, "cfg.json: certificates.\"example.org\".install.restart.c2s: " +
                       dir.path().string() + " names no pid file for \"c2s\"");
}

}  // namespace
}  // namespace xmppcert::testing

namespace xmppcert::testing {
namespace {

std::vector<fs::path> backups_of(const fs::path& config) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(config.parent_path()))
    if (entry.path().filename().string().rfind(config.filename().string() + ".xmppcert-backup-",
                                               0) == 0)
      found.push_back(entry.path());
  return found;
}

TEST_F(PluginFilesTest, EditConfigPutsProsodyGlobalsBeforeTheFirstVirtualHostAndKeepsABackup) {
  const std::string original =
      "-- admin's comment\ncertificates = \"elsewhere\"\nVirtualHost \"example.org\"\n";
  write_text(dir / "prosody.cfg.lua", original);
  XmppServerPlugin plugin(kProsodyKind,
                          {{"config", (dir / "prosody.cfg.lua").string()},
                           {"cert_dir", (dir / "certs").string()},
                           {"edit_config", true}},
                          "test.install");
  StoredVersion v = version();
  plugin.install(v);
  EXPECT_EQ(read_file(dir / "prosody.cfg.lua"),
            "-- admin's comment\ncertificates = \"elsewhere\"\n"
            "-- added by xmppcert --edit-config\ncertificates = \"" +
                (dir / "certs").string() + "\"\n\nVirtualHost \"example.org\"\n");
  EXPECT_TRUE(plugin.missing_config(v).empty());
  auto backups = backups_of(dir / "prosody.cfg.lua");
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_EQ(read_file(backups.front()), original);
}

TEST_F(PluginFilesTest, EditConfigAddsToEjabberdsCertfilesBlockAndSetsS2sCafile) {
  write_text(dir / "ejabberd.yml",
             "hosts: [example.org]\ncertfiles:\n  - /etc/old.pem\ns2s_cafile: /etc/old-ca.pem\n");
  write_text(dir / "ca.pem", "ROOT\n");
  XmppServerPlugin plugin(kEjabberdKind,
                          {{"config", (dir / "ejabberd.yml").string()},
                           {"trust_anchor", (dir / "ca.pem").string()},
                           {"edit_config", true}},
                          "test.install");
  StoredVersion v = version();
  plugin.install(v);
  fs::path pem = dir / "xmppcert" / "example.org.pem";
  fs::path ca = dir / "xmppcert" / "xmppcert-trust-anchor.pem";
  EXPECT_EQ(read_file(dir / "ejabberd.yml"), "hosts: [example.org]\ncertfiles:\n  - \"" +
                                                 pem.string() + "\"\n  - /etc/old.pem\n" +
                                                 "s2s_cafile: \"" + ca.string() + "\"\n");
  EXPECT_TRUE(plugin.missing_config(v).empty());
}

// Issue 23 item 12: the log names only what the edit added (under an existing `certfiles:`
// the item, not a `certfiles:` line), and one backup stays beside the config, not one more
// per edit.
TEST_F(PluginFilesTest, EditConfigLogsOnlyTheLinesItAddedAndKeepsOnlyTheLastBackup) {
  const std::string original = "hosts: [example.org]\ncertfiles:\n  - /etc/old.pem\n";
  write_text(dir / "ejabberd.yml", original);
  write_text(dir / "ejabberd.yml.xmppcert-backup-2020-01-01T00:00:00Z", "an earlier edit\n");
  std::string log;
  set_log_sink([&](const std::string& line) { log += line + "\n"; });
  XmppServerPlugin plugin(kEjabberdKind,
                          {{"config", (dir / "ejabberd.yml").string()}, {"edit_config", true}},
                          "test.install");
  plugin.install(version());
  set_log_sink(nullptr);
  fs::path pem = dir / "xmppcert" / "example.org.pem";
  EXPECT_NE(log.find("added to " + (dir / "ejabberd.yml").string() + ":   - \"" + pem.string()),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(": certfiles:"), std::string::npos) << log;
  auto backups = backups_of(dir / "ejabberd.yml");
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_EQ(read_file(backups.front()), original);
}

TEST_F(PluginFilesTest, EditConfigSetsJabberd2PemfilesKeepingComments) {
  write_text(
      dir / "c2s.xml",
      "<c2s>\n  <!-- admin's note -->\n  <local>\n    <id>example.org</id>\n  </local>\n</c2s>\n");
  write_text(dir / "s2s.xml", "<s2s>\n  <local/>\n</s2s>\n");
  XmppServerPlugin plugin(kJabberd2Kind,
                          {{"config", dir.path().string()},
                           {"cert_dir", (dir / "certs").string()},
                           {"edit_config", true}},
                          "test.install");
  StoredVersion v = version();
  plugin.install(v);
  std::string pem = (dir / "certs" / "example.org.pem").string();
  EXPECT_EQ(read_file(dir / "c2s.xml"),
            "<c2s>\n  <!-- admin's note -->\n  <local>\n    <id pemfile=\"" + pem +
                "\">example.org</id>\n  </local>\n</c2s>\n");
  EXPECT_NE(read_file(dir / "s2s.xml").find("<pemfile>" + pem + "</pemfile>"), std::string::npos);
  EXPECT_TRUE(plugin.missing_config(v).empty());
}

}  // namespace
}  // namespace xmppcert::testing
