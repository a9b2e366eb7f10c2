// Runs the built `xmppcert` binary (XMPPCERT_BINARY, set by CMake) with arguments.
#pragma once

#include <string>
#include <vector>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

inline ProcessResult run_xmppcert(std::vector<std::string> args) {
  args.insert(args.begin(), XMPPCERT_BINARY);
  return run_process(args);
}

}  // namespace xmppcert::testing
