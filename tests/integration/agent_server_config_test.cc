// xmppcertd follows the files a server's config includes: with Debian's prosody layout
// (prosody.cfg.lua + Include of conf.d/*.cfg.lua), a component appended to a snippet and a
// host in a new snippet are added to the certificate within seconds, installed, and served.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/certificate.h"
#include "tests/integration/agent_fixture.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

bool covers(const std::optional<CertificateRecord>& record, const std::string& name) {
  if (!record) return false;
  const auto& dns = record->certificate.identities.dns_ids;
  return std::find(dns.begin(), dns.end(), name) != dns.end();
}

TEST_F(AgentTest, ProsodyConfDSnippetsExtendTheCertificateWithinSeconds) {
  if (!ProsodyServer::available()) GTEST_SKIP() << "prosody is not installed";
  TempDir conf_d;  // absolute, so that it exists before prosody reads the Include
  fs::permissions(conf_d.path(), fs::perms(0755));
  write_text(conf_d / "example.test.cfg.lua", "-- the Debian way to add hosts\n");
  ProsodyServer server("example.test", "Include \"" + (conf_d / "*.cfg.lua").string() + "\"\n");
  nlohmann::json config = {
      {"defaults", {{"validity", "1h"}}},
      {"certificates", {{"example.test", {{"install", server.install_settings()}}}}}};
  write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  start();
  StateDirStore store(dir / "state");
  ASSERT_TRUE(eventually(
      [&] { return covers(store.load("example.test"), "conference.example.test"); }, seconds(30)))
      << log() << server.log();

  write_text(conf_d / "example.test.cfg.lua",
             "-- the Debian way to add hosts\nComponent \"rooms.example.test\" \"muc\"\n");
  EXPECT_TRUE(eventually([&] { return covers(store.load("example.test"), "rooms.example.test"); },
                         seconds(20)))
      << log();

  write_text(conf_d / "second.test.cfg.lua", "VirtualHost \"second.test\"\n");
  EXPECT_TRUE(
      eventually([&] { return covers(store.load("example.test"), "second.test"); }, seconds(20)))
      << log();
  // Served: each version became current only after the STARTTLS check saw it on c2s and s2s.
  auto record = store.load("example.test");
  ASSERT_TRUE(record);
  EXPECT_EQ(read_file(server.dir() / "certs" / "example.test.crt"),
            read_file(store.version("example.test", record->current_version).fullchain_path()));
}

}  // namespace
}  // namespace xmppcert::testing
