#include "plugins/servers/common/server_kind.h"

#include <algorithm>

namespace xmppcert {
namespace {

bool same_path(const fs::path& a, const fs::path& b) {
  return a.lexically_normal() == b.lexically_normal();
}

}  // namespace

void add_served_name(std::vector<std::string>& names, const std::string& name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(name);
}

std::vector<InstallFile> combined_pem_layout(const fs::path& dir, const std::string& name) {
  return {{dir / (name + ".pem"), FileContent::combined}};
}

fs::path xmppcert_dir_beside_config(const fs::path& config_file, const ServerFacts&) {
  return config_file.parent_path() / "xmppcert";
}

fs::path xmppcert_dir_in_config_dir(const fs::path& config_dir, const ServerFacts&) {
  return config_dir / "xmppcert";
}

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
