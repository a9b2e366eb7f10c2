// ejabberd.yml (the ejabberd user owns it on Debian).
#include "plugins/servers/ejabberd/ejabberd_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  auto parts = fuzz::split_parts(data, size, 2);
  const auto& dir = fuzz::scratch_dir();
  fuzz::write_scratch(dir / "ejabberd.yml", parts[0]);
  fuzz::write_scratch(dir / "included.yml", parts[1]);
  fuzz::expect_only_project_errors([&] { read_ejabberd_config(dir / "ejabberd.yml"); });
  return 0;
}
