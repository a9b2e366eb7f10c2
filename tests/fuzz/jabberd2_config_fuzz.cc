// jabberd2's sm.xml, c2s.xml and s2s.xml (/etc/jabberd2 is jabber:jabber 0750 on Debian).
#include "plugins/servers/jabberd2/jabberd2_plugin.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  auto parts = fuzz::split_parts(data, size, 3);
  const auto& dir = fuzz::scratch_dir();
  fuzz::write_scratch(dir / "sm.xml", parts[0]);
  fuzz::write_scratch(dir / "c2s.xml", parts[1]);
  fuzz::write_scratch(dir / "s2s.xml", parts[2]);
  fuzz::expect_only_project_errors([&] { read_jabberd2_config(dir); });
  return 0;
}
