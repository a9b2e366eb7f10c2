// Issue 12 #12 (and #3 for configs): a server config the daemon's user can write must not
// crash or hang root. std::regex recursed once per character: a 50 KB line was a SIGSEGV.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/errors.h"
#include "engine/fs.h"
#include "plugins/servers/prosody/prosody_config.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(HostileProsodyConfig, HugeLinesAreReadWithoutCrashing) {
  TempDir dir;
  std::string huge(1 << 20, 'a');
  std::string config = "c2s_ports = { " + std::string(100000, '1') + ", 15222 }\n";
  config += "VirtualHost \"example.org\"\n";
  config += "modules_enabled = { \"" + huge + "\" }\n";
  config += "ssl = { certificate = \"" + huge + "\"; key = '/k' }\n";
  config += std::string(200000, ' ') + "Component \"c.example.org\"\n";
  config += "x = \"" + huge + "\n";
  write_text(dir / "prosody.cfg.lua", config);
  int status = run_in_child([&] {
    ServerFacts facts = read_prosody_config(dir / "prosody.cfg.lua");
    bool ok = facts.names.domains == std::vector<std::string>{"example.org"} &&
              facts.names.components == std::vector<std::string>{"c.example.org"} && facts.c2s &&
              facts.c2s->port == 15222;
    _exit(ok ? 0 : 1);
  });
  EXPECT_EQ(status, 0) << "a crash (signal) or wrong facts";
}

TEST(HostileProsodyConfig, AFifoIncludedByTheConfigIsAnErrorNotAHang) {
  TempDir dir;
  fs::create_directories(dir / "conf.d");
  ASSERT_EQ(::mkfifo((dir / "conf.d" / "x.cfg.lua").c_str(), 0600), 0);
  write_text(dir / "prosody.cfg.lua",
             "VirtualHost \"example.org\"\nInclude \"conf.d/*.cfg.lua\"\n");
  int status = run_in_child([&] {
    alarm(5);
    try {
      read_prosody_config(dir / "prosody.cfg.lua");
    } catch (const UsageError& e) {
      _exit(std::string(e.what()).find("FIFO") != std::string::npos ? 0 : 2);
    }
    _exit(1);
  });
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace xmppcert::testing
