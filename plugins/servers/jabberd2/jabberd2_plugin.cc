#include "plugins/servers/jabberd2/jabberd2_plugin.h"

#include "engine/errors.h"
#include "plugins/servers/common/xml_config.h"

namespace xmppcert {
namespace {

std::optional<Endpoint> endpoint_of(const pugi::xml_node& local, int default_port,
                                    const fs::path& file) {
  std::string port = xml_text(local.child("port"));
  if (port.empty()) return Endpoint{xml_text(local.child("ip")), default_port};
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(file.string() + ": <local><port> is not a port number: \"" + port + "\"");
  return Endpoint{xml_text(local.child("ip")), std::stoi(port)};
}

std::vector<std::string> missing(const ServerFacts& facts, const std::vector<InstallFile>& files) {
  std::vector<std::string> lines;
  for (const auto& file : files) {
    std::string path = file.path.string();
    if (file.content == FileContent::trust_anchor) {
      if (!config_trusts(facts, file.path))
        lines.push_back("s2s.xml <local>: <cachain>" + path + "</cachain>");
      continue;
    }
    for (const auto& host : facts.names.domains) {
      auto it = facts.host_files.find(host);
      if (it == facts.host_files.end() || it->second != file.path)
        lines.push_back("c2s.xml <local>: <id pemfile='" + path + "'>" + host + "</id>");
    }
    if (!config_loads(facts, file.path))
      lines.push_back("s2s.xml <local>: <pemfile>" + path + "</pemfile>");
  }
  return lines;
}

pugi::xml_node child_of(pugi::xml_node parent, const char* name) {
  pugi::xml_node child = parent.child(name);
  return child ? child : parent.append_child(name);
}

void add_to_config(const fs::path& dir, const ServerFacts& facts,
                   const std::vector<InstallFile>& files) {
  pugi::xml_document c2s, s2s;
  load_xml_config(c2s, dir / "c2s.xml", kXmlEditOptions);
  load_xml_config(s2s, dir / "s2s.xml", kXmlEditOptions);
  pugi::xml_node c2s_local = child_of(c2s.child("c2s"), "local");
  pugi::xml_node s2s_local = child_of(s2s.child("s2s"), "local");
  for (const auto& file : files) {
    if (file.content == FileContent::trust_anchor) {
      child_of(s2s_local, "cachain").text().set(file.path.c_str());
      continue;
    }
    for (const auto& host : facts.names.domains) {
      pugi::xml_node id;
      for (auto candidate : c2s_local.children("id"))
        if (xml_text(candidate) == host) id = candidate;
      if (!id) {
        id = c2s_local.prepend_child("id");
        id.text().set(host.c_str());
      }
      pugi::xml_attribute pemfile = id.attribute("pemfile");
      (pemfile ? pemfile : id.append_attribute("pemfile")).set_value(file.path.c_str());
    }
    child_of(s2s_local, "pemfile").text().set(file.path.c_str());
  }
  save_edited_xml(c2s, dir / "c2s.xml");
  save_edited_xml(s2s, dir / "s2s.xml");
}

std::vector<std::string> reload(const fs::path&) {
  return {"systemctl", "restart", "jabberd-c2s", "jabberd-s2s"};
}

}  // namespace

ServerFacts read_jabberd2_config(const fs::path& dir) {
  ServerFacts facts;
  pugi::xml_document c2s, s2s, sm;
  load_xml_config(c2s, dir / "c2s.xml");
  load_xml_config(s2s, dir / "s2s.xml");
  if (fs::exists(dir / "sm.xml")) {
    load_xml_config(sm, dir / "sm.xml");
    for (const auto& id : sm.child("sm").child("local").children("id"))
      add_served_name(facts.names.domains, xml_text(id));
  }
  pugi::xml_node c2s_local = c2s.child("c2s").child("local");
  for (const auto& id : c2s_local.children("id")) {
    add_served_name(facts.names.domains, xml_text(id));
    if (const char* pemfile = id.attribute("pemfile").as_string(nullptr))
      facts.host_files[xml_text(id)] = pemfile;
  }
  pugi::xml_node s2s_local = s2s.child("s2s").child("local");
  if (std::string pem = xml_text(s2s_local.child("pemfile")); !pem.empty())
    facts.loaded_files.push_back(pem);
  for (const auto& local : {c2s_local, s2s_local})
    if (std::string ca = xml_text(local.child("cachain")); !ca.empty())
      facts.ca_files.push_back(ca);
  facts.c2s = endpoint_of(c2s_local, 5222, dir / "c2s.xml");
  facts.s2s = endpoint_of(s2s_local, 5269, dir / "s2s.xml");
  for (const auto& [name, doc] :
       {std::pair<const char*, pugi::xml_document*>{"c2s", &c2s}, {"s2s", &s2s}})
    if (std::string pid = xml_text(doc->child(name).child("pidfile")); !pid.empty())
      facts.pidfiles[name] = pid;
  return facts;
}

const ServerKind kJabberd2Kind = {.name = "jabberd2",
                                  .default_config = "/etc/jabberd2",
                                  .default_group = "jabber",
                                  .read_config = read_jabberd2_config,
                                  .default_cert_dir = xmppcert_dir_in_config_dir,
                                  .layout = combined_pem_layout,
                                  .missing_config = missing,
                                  .default_reload = reload,
                                  .add_to_config = add_to_config,
                                  .needs_new_mtime = false};

}  // namespace xmppcert
