#include "plugins/servers/prosody/prosody_plugin.h"

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

std::vector<std::string> reload(const fs::path& config) {
  return {"prosodyctl", "--config", config.string(), "reload"};
}

}  // namespace

const ServerKind kProsodyKind = {"prosody", "/etc/prosody/prosody.cfg.lua",
                                 "prosody", read_prosody_config,
                                 cert_dir,  layout,
                                 missing,   reload,
                                 false};

}  // namespace xmppcert
