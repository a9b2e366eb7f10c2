#include "plugins/servers/jabberd14/jabberd14_plugin.h"

#include "plugins/servers/common/xml_config.h"
#include "plugins/servers/jabberd14/jabberd14_includes.h"

namespace xmppcert {
namespace {

std::vector<std::string> missing(const ServerFacts& facts, const std::vector<InstallFile>& files) {
  std::vector<std::string> lines;
  for (const auto& file : files)
    if (file.content == FileContent::combined && !config_loads(facts, file.path))
      lines.push_back("<io><ssl><key ip='0.0.0.0'>" + file.path.string() + "</key></ssl></io>");
  return lines;
}

void add_to_config(const fs::path& config, const ServerFacts& facts,
                   const std::vector<InstallFile>& files) {
  pugi::xml_document doc;
  load_xml_config(doc, config, kXmlEditOptions);
  pugi::xml_node root = doc.child("jabber");
  pugi::xml_node io = root.child("io") ? root.child("io") : root.append_child("io");
  pugi::xml_node ssl = io.child("ssl") ? io.child("ssl") : io.append_child("ssl");
  for (const auto& file : files) {
    if (file.content != FileContent::combined || config_loads(facts, file.path)) continue;
    pugi::xml_node key = ssl.append_child("key");
    key.append_attribute("ip").set_value("0.0.0.0");
    key.text().set(file.path.c_str());
  }
  save_edited_xml(doc, config);
}

std::vector<std::string> reload(const fs::path&) { return {"systemctl", "restart", "jabberd14"}; }

}  // namespace

ServerFacts read_jabberd14_config(const fs::path& config) {
  pugi::xml_document doc;
  load_xml_config(doc, config);
  ServerFacts facts;
  expand_jabberd14_includes(doc, config, facts.config_files);
  pugi::xml_node root = doc.child("jabber");
  for (const auto& service : root.children("service")) {
    bool sessions = std::string(service.attribute("id").as_string()) == "sessions";
    for (const auto& host : service.children("host"))
      add_served_name(sessions ? facts.names.domains : facts.names.components, xml_text(host));
  }
  for (const auto& key : root.child("io").child("ssl").children("key"))
    if (std::string path = xml_text(key); !path.empty()) facts.loaded_files.push_back(path);
  return facts;
}

const ServerKind kJabberd14Kind = {.name = "jabberd14",
                                   .default_config = "/etc/jabber/jabber.xml",
                                   .default_group = "jabber",
                                   .read_config = read_jabberd14_config,
                                   .default_cert_dir = xmppcert_dir_beside_config,
                                   .layout = combined_pem_layout,
                                   .missing_config = missing,
                                   .default_reload = reload,
                                   .add_to_config = add_to_config,
                                   .needs_new_mtime = false};

}  // namespace xmppcert
