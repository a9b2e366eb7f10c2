#include "plugins/servers/prosody/prosody_plugin.h"

#include <cctype>
#include <csignal>
#include <sstream>

#include "engine/fs.h"
#include "plugins/servers/common/config_edit.h"
#include "plugins/servers/prosody/prosody_config.h"

namespace xmppcert {
namespace {

fs::path cert_dir(const fs::path&, const ServerFacts& facts) { return facts.cert_dir; }

std::vector<InstallFile> layout(const fs::path& dir, const std::string& name) {
  return {{dir / (name + ".key"), FileContent::key},
          {dir / (name + ".crt"), FileContent::fullchain}};
}

std::vector<std::string> missing(const ServerFacts& facts, const std::vector<InstallFile>& files) {
  std::vector<std::string> lines;
  bool certs_loaded = true;
  for (const auto& file : files) {
    if (file.content != FileContent::trust_anchor)
      certs_loaded = certs_loaded && config_loads(facts, file.path);
    else if (!config_trusts(facts, file.path))
      lines.push_back("ssl = { cafile = \"" + file.path.string() + "\" }");
  }
  if (!certs_loaded)
    lines.insert(lines.begin(),
                 "certificates = \"" + files.front().path.parent_path().string() + "\"");
  return lines;
}

// VirtualHost/Host/Component as a line's first word (no std::regex over daemon-writable text).
bool starts_section(const std::string& line) {
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return false;
  size_t end = start;
  while (end < line.size() &&
         (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
    ++end;
  std::string word = line.substr(start, end - start);
  return word == "VirtualHost" || word == "Host" || word == "Component";
}

// Global options go before the first VirtualHost/Component, where prosody reads them as
// global (an earlier assignment of the same option is overridden by ours).
void add_to_config(const fs::path& config, const ServerFacts& facts,
                   const std::vector<InstallFile>& files) {
  std::istringstream in(read_file(config));
  std::string out, line, added = "-- added by xmppcert --edit-config\n";
  for (const auto& wanted : missing(facts, files)) added += wanted + "\n";
  while (std::getline(in, line)) {
    if (!added.empty() && starts_section(line)) {
      out += added + "\n";
      added.clear();
    }
    out += line + "\n";
  }
  replace_config_with_backup(config, out + added);
}

std::vector<std::string> reload(const fs::path& config) {
  return {"prosodyctl", "--config", config.string(), "reload"};
}

}  // namespace

const ServerKind kProsodyKind = {.name = "prosody",
                                 .default_config = "/etc/prosody/prosody.cfg.lua",
                                 .default_group = "prosody",
                                 .read_config = read_prosody_config,
                                 .default_cert_dir = cert_dir,
                                 .layout = layout,
                                 .missing_config = missing,
                                 .default_reload = reload,
                                 .add_to_config = add_to_config,
                                 .needs_new_mtime = false,
                                 .new_files_need_second_reload = true,
                                 .reload_signal = SIGHUP};

}  // namespace xmppcert
