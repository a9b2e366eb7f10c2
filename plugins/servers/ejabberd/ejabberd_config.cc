#include "plugins/servers/ejabberd/ejabberd_config.h"

#include <yaml-cpp/yaml.h>

#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert {
namespace {

struct ModuleHost {
  const char* module;
  const char* default_host;
};

const ModuleHost kModuleHosts[] = {
    {"mod_muc", "conference.@HOST@"}, {"mod_http_upload", "upload.@HOST@"},
    {"mod_pubsub", "pubsub.@HOST@"},  {"mod_proxy65", "proxy.@HOST@"},
    {"mod_mix", "mix.@HOST@"},        {"mod_multicast", "multicast.@HOST@"},
};

// One pass, like ejabberd's own global replace: a host that itself contains "@HOST@" (not a
// valid domain, but the config is the daemon user's to write) is not expanded again.
std::string replace_host(std::string pattern, const std::string& host) {
  const std::string marker = "@HOST@";
  for (size_t at = 0; (at = pattern.find(marker, at)) != std::string::npos; at += host.size())
    pattern.replace(at, marker.size(), host);
  return pattern;
}

class Reader {
 public:
  Reader(const fs::path& config) : config_(config) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
    throw UsageError(config_.string() + ":" + std::to_string(node.Mark().line + 1) + ": " + what);
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key) const {
    if (!node) return {};
    if (node.IsScalar()) return {node.as<std::string>()};
    if (!node.IsSequence()) fail(node, key + ": expected a list of strings");
    std::vector<std::string> out;
    for (const auto& item : node) {
      if (!item.IsScalar()) fail(item, key + ": expected a string");
      out.push_back(item.as<std::string>());
    }
    return out;
  }

  // The main file and the files it includes (include_config_file: a path, a list of paths
  // or a mapping path -> allow_only/disallow options): their hosts, listeners, certfiles and
  // modules are read together.
  ServerFacts read() {
    ServerFacts facts;
    std::vector<YAML::Node> roots;
    load(config_, roots, facts, 0);
    for (const auto& root : roots) {
      for (const auto& host : strings(root["hosts"], "hosts"))
        add_served_name(facts.names.domains, host);
      if (const YAML::Node aliases = root["hosts_alias"]; aliases && aliases.IsMap())
        for (const auto& alias : aliases)
          add_served_name(facts.names.domains, alias.first.as<std::string>());
    }
    for (const auto& root : roots) {
      read_modules(root["modules"], facts);
      read_listeners(root["listen"], facts);
      for (const auto& file : strings(root["certfiles"], "certfiles"))
        facts.loaded_files.push_back(file);
      for (const char* key : {"ca_file", "s2s_cafile"})
        for (const auto& file : strings(root[key], key)) facts.ca_files.push_back(file);
    }
    return facts;
  }

  void load(const fs::path& file, std::vector<YAML::Node>& roots, ServerFacts& facts, int depth) {
    if (depth > 8)
      throw UsageError(file.string() + ": include_config_file nested more than 8 deep");
    std::string text;
    try {  // capped, and never a FIFO or a folder: the ejabberd user can write its config
      text = read_file(file);
    } catch (const OperationError& e) {
      throw UsageError("read ejabberd config " + file.string() + ": " + e.what());
    }
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw UsageError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) fail(root, "expected a YAML mapping at the top");
    facts.config_files.push_back(file.lexically_normal());
    roots.push_back(root);
    const YAML::Node includes = root["include_config_file"];
    std::vector<std::string> paths;
    if (includes && includes.IsMap()) {
      for (const auto& entry : includes) paths.push_back(entry.first.as<std::string>());
    } else {
      paths = strings(includes, "include_config_file");
    }
    for (const auto& path : paths) {
      fs::path included(path);
      if (included.is_relative()) included = config_.parent_path() / included;
      load(included, roots, facts, depth + 1);
    }
  }

  void read_modules(const YAML::Node& modules, ServerFacts& facts) const {
    if (!modules) return;
    if (!modules.IsMap()) fail(modules, "modules: expected a mapping");
    for (const auto& [module, default_host] : kModuleHosts) {
      const YAML::Node options = modules[module];
      if (!options) continue;
      std::vector<std::string> patterns;
      if (options.IsMap()) {
        patterns = strings(options["hosts"], std::string("modules.") + module + ".hosts");
        if (patterns.empty())
          patterns = strings(options["host"], std::string("modules.") + module + ".host");
      }
      if (patterns.empty()) patterns = {default_host};
      for (const auto& host : facts.names.domains)
        for (const auto& pattern : patterns)
          add_served_name(facts.names.components, replace_host(pattern, host));
    }
  }

  void read_listeners(const YAML::Node& listen, ServerFacts& facts) const {
    if (!listen) return;
    if (!listen.IsSequence()) fail(listen, "listen: expected a list");
    for (const auto& listener : listen) {
      if (!listener.IsMap() || !listener["module"] || !listener["port"]) continue;
      std::string module = listener["module"].as<std::string>();
      bool direct_tls = listener["tls"] && listener["tls"].as<std::string>() == "true";
      std::optional<Endpoint>* slot = module == "ejabberd_c2s" && !direct_tls ? &facts.c2s
                                      : module == "ejabberd_s2s_in"           ? &facts.s2s
                                                                              : nullptr;
      if (!slot || *slot) continue;
      int port = 0;
      try {
        port = listener["port"].as<int>();
      } catch (const YAML::Exception&) {
        fail(listener["port"], "listen: port is not a number");
      }
      std::string ip = listener["ip"] ? listener["ip"].as<std::string>() : "";
      *slot = Endpoint{ip, port};
    }
  }

 private:
  fs::path config_;
};

}  // namespace

ServerFacts read_ejabberd_config(const fs::path& config) {
  try {
    return Reader(config).read();
  } catch (const YAML::Exception& e) {  // a type error (a list where a name is expected)
    throw UsageError(config.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace xmppcert
