// prosody.cfg.lua and one included file: the prosody user can write both.
#include "plugins/servers/prosody/prosody_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  auto parts = fuzz::split_parts(data, size, 2);
  const auto& dir = fuzz::scratch_dir();
  std::filesystem::create_directories(dir / "conf.d");
  fuzz::write_scratch(dir / "prosody.cfg.lua", parts[0]);
  fuzz::write_scratch(dir / "conf.d" / "a.cfg.lua", parts[1]);
  fuzz::expect_only_project_errors([&] { read_prosody_config(dir / "prosody.cfg.lua"); });
  return 0;
}
