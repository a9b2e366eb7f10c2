// jabberd 1.4's jabber.xml.
#include "plugins/servers/jabberd14/jabberd14_plugin.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  const auto& dir = fuzz::scratch_dir();
  fuzz::write_scratch(dir / "jabber.xml",
                      std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::expect_only_project_errors([&] { read_jabberd14_config(dir / "jabber.xml"); });
  return 0;
}
