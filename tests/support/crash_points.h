// Crash points (engine/fs.h) that end the process at one named point, as a power cut there
// would: run the write in testing::run_in_child and expect `status`.
#pragma once

#include <unistd.h>

#include <string>

#include "engine/fs.h"

namespace xmppcert::testing {

inline CrashPoints exit_at(std::string point, int status = 42) {
  return CrashPoints([point = std::move(point), status](std::string_view reached) {
    if (reached == point) ::_exit(status);
  });
}

}  // namespace xmppcert::testing
