#include "plugins/servers/ejabberd/ejabberd_plugin.h"

#include "plugins/servers/ejabberd/ejabberd_config.h"

namespace xmppcert {
namespace {

fs::path cert_dir(const fs::path& config, const ServerFacts&) {
  return config.parent_path() / "xmppcert";
}

std::vector<InstallFile> layout(const fs::path& dir, const std::string& name) {
  return {{dir / (name + ".pem"), FileContent::combined}};
}

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

std::vector<std::string> reload(const fs::path& config) {
  return {"ejabberdctl", "--config", config.string(), "reload_config"};
}

}  // namespace

const ServerKind kEjabberdKind = {"ejabberd", "/etc/ejabberd/ejabberd.yml",
                                  "ejabberd", read_ejabberd_config,
                                  cert_dir,   layout,
                                  missing,    reload,
                                  true};

}  // namespace xmppcert
