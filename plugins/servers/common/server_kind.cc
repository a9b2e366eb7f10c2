#include "plugins/servers/common/server_kind.h"

#include <algorithm>

namespace xmppcert {
namespace {

bool same_path(const fs::path& a, const fs::path& b) {
  return a.lexically_normal() == b.lexically_normal();
}

}  // namespace

bool config_loads(const ServerFacts& facts, const fs::path& path) {
  return std::any_of(facts.loaded_files.begin(), facts.loaded_files.end(), [&](const auto& f) {
    return same_path(f, path) || same_path(f, path.parent_path());
  });
}

bool config_trusts(const ServerFacts& facts, const fs::path& path) {
  return std::any_of(facts.ca_files.begin(), facts.ca_files.end(),
                     [&](const auto& f) { return same_path(f, path); });
}

}  // namespace xmppcert
