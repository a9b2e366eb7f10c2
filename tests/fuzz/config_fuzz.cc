// Our JSON config and an include snippet (the part after a "--8<--" line).
#include "engine/config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  auto parts = fuzz::split_parts(data, size, 2);
  fuzz::expect_only_project_errors([&] { parse_config(parts[0], "fuzz.json"); });
  const auto& dir = fuzz::scratch_dir();
  std::filesystem::create_directories(dir / "conf.d");
  fuzz::write_scratch(dir / "main.json", R"({"include": ["conf.d/*.json"]})");
  fuzz::write_scratch(dir / "conf.d" / "snippet.json", parts[1].empty() ? parts[0] : parts[1]);
  fuzz::expect_only_project_errors([&] { load_config(dir / "main.json"); });
  return 0;
}
