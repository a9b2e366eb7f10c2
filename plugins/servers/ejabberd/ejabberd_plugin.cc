#include "plugins/servers/ejabberd/ejabberd_plugin.h"

#include <sstream>

#include "engine/errors.h"
#include "engine/fs.h"
#include "plugins/servers/common/config_edit.h"
#include "plugins/servers/ejabberd/ejabberd_config.h"

namespace xmppcert {
namespace {

std::vector<std::string> missing(const ServerFacts& facts, const std::vector<InstallFile>& files) {
  std::vector<std::string> lines;
  for (const auto& file : files) {
    if (file.content == FileContent::trust_anchor) {
      if (!config_trusts(facts, file.path))
        lines.push_back("s2s_cafile: \"" + file.path.string() + "\"");
    } else if (!config_loads(facts, file.path)) {
      lines.push_back("certfiles:");
      lines.push_back("  - \"" + file.path.string() + "\"");
    }
  }
  return lines;
}

// Text edits, so that the admin's comments and layout stay: a path goes under an existing
// block-style `certfiles:` (or a new one at the end); s2s_cafile is replaced or appended.
void add_to_config(const fs::path& config, const ServerFacts& facts,
                   const std::vector<InstallFile>& files) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(config));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto find = [&](const std::string& key) {
    for (size_t i = 0; i < lines.size(); ++i)
      if (lines[i].rfind(key + ":", 0) == 0) return i;
    return lines.size();
  };
  for (const auto& file : files) {
    std::string quoted = "\"" + file.path.string() + "\"";
    if (file.content == FileContent::trust_anchor) {
      if (config_trusts(facts, file.path)) continue;
      size_t at = find("s2s_cafile");
      std::string line = "s2s_cafile: " + quoted;
      if (at < lines.size())
        lines[at] = line;
      else
        lines.push_back(line);
    } else if (!config_loads(facts, file.path)) {
      size_t at = find("certfiles");
      if (at < lines.size() && lines[at].find('[') != std::string::npos)
        throw UsageError(config.string() + ":" + std::to_string(at + 1) +
                         ": certfiles is a flow list; add " + quoted + " to it by hand");
      if (at < lines.size()) {
        lines.insert(lines.begin() + static_cast<long>(at) + 1, "  - " + quoted);
      } else {
        lines.push_back("certfiles:");
        lines.push_back("  - " + quoted);
      }
    }
  }
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  replace_config_with_backup(config, text);
}

// The `certfiles` items and the `s2s_cafile` line naming `paths`, as add_to_config wrote
// them; a `certfiles:` left without items goes too (ejabberd refuses a null certfiles).
std::vector<std::string> remove_from_config(const fs::path& config,
                                            const std::vector<fs::path>& paths) {
  std::vector<std::string> lines, removed;
  std::istringstream in(read_file(config));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto names_a_path = [&](const std::string& line, const std::string& prefix) {
    for (const auto& path : paths)
      if (line == prefix + "\"" + path.string() + "\"") return true;
    return false;
  };
  std::vector<std::string> kept;
  for (const auto& line : lines) {
    if (names_a_path(line, "  - ") || names_a_path(line, "s2s_cafile: "))
      removed.push_back(line);
    else
      kept.push_back(line);
  }
  if (removed.empty()) return {};
  std::string text;
  for (size_t i = 0; i < kept.size(); ++i) {
    bool empty_certfiles =
        kept[i] == "certfiles:" && (i + 1 == kept.size() || kept[i + 1].rfind("  - ", 0) != 0);
    if (empty_certfiles) {
      removed.push_back(kept[i]);
      continue;
    }
    text += kept[i] + "\n";
  }
  replace_config_with_backup(config, text);
  return removed;
}

std::vector<std::string> reload(const fs::path& config) {
  return {"ejabberdctl", "--config", config.string(), "reload_config"};
}

}  // namespace

const ServerKind kEjabberdKind = {.name = "ejabberd",
                                  .default_config = "/etc/ejabberd/ejabberd.yml",
                                  .default_group = "ejabberd",
                                  .read_config = read_ejabberd_config,
                                  .default_cert_dir = xmppcert_dir_beside_config,
                                  .layout = combined_pem_layout,
                                  .missing_config = missing,
                                  .default_reload = reload,
                                  .add_to_config = add_to_config,
                                  .remove_from_config = remove_from_config,
                                  .needs_new_mtime = true};

}  // namespace xmppcert
