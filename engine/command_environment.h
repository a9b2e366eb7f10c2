// What a command we start inherits from us: a fixed environment and no descriptor beyond
// 0-2. Root's environment (proxy settings, LD_*, a PATH with a user's folder in it) and our
// open sockets, lock and pipes are none of a reload command's business.
#pragma once

#include <string>
#include <vector>

#include "engine/process.h"

namespace xmppcert {

// "NAME=value" strings, owned: kCommandPath, LANG=C, then `extra` (checked: XMPPCERT_*).
std::vector<std::string> clean_environment(const CommandEnvironment& extra);

// Pointers into `entries`, null-terminated, for execve.
std::vector<char*> environment_pointers(std::vector<std::string>& entries);

// In a forked child: closes every descriptor from `first` up, except `keep` (-1: none).
void close_descriptors_from(int first, int keep = -1);

}  // namespace xmppcert
