#include "plugins/servers/prosody/prosody_config.h"

#include <fstream>
#include <regex>

#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert {
namespace {

// The line without its "--" comment (outside of strings).
std::string strip_comment(const std::string& line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '-' && i + 1 < line.size() && line[i + 1] == '-') {
      return line.substr(0, i);
    }
  }
  return line;
}

// The quoted strings of a line, in order.
std::vector<std::string> strings_in(const std::string& line) {
  static const std::regex quoted(R"re("([^"]*)"|'([^']*)')re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), quoted);
       it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  return out;
}

std::vector<int> numbers_in(const std::string& text) {
  static const std::regex number(R"(\b(\d{1,5})\b)");
  std::vector<int> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number);
       it != std::sregex_iterator(); ++it)
    out.push_back(std::stoi((*it)[1].str()));
  return out;
}

class Reader {
 public:
  explicit Reader(const fs::path& main) : base_(main.parent_path()) {}

  void read(const fs::path& file, int depth) {
    if (depth > 8) throw UsageError(file.string() + ": Include nested more than 8 deep");
    std::ifstream in(file);
    if (!in) throw UsageError("read prosody config " + file.string() + ": cannot open it");
    facts.config_files.push_back(file.lexically_normal());
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
      ++number;
      line(strip_comment(raw), file, number, depth);
    }
  }

  ServerFacts facts;
  bool global = true;  // before the first VirtualHost/Component
  std::optional<std::string> certificates;

 private:
  void line(const std::string& text, const fs::path& file, int number, int depth) {
    static const std::regex directive(R"(^\s*(VirtualHost|Host|Component|Include|includes?)\b)");
    static const std::regex option(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$)");
    std::smatch m;
    auto where = [&] { return file.string() + ":" + std::to_string(number); };
    if (std::regex_search(text, m, directive)) {
      std::string word = m[1].str();
      std::vector<std::string> args = strings_in(text);
      if (args.empty()) throw UsageError(where() + ": " + word + " without a quoted name");
      if (word == "VirtualHost" || word == "Host") {
        facts.names.domains.push_back(args[0]);
        global = false;
      } else if (word == "Component") {
        facts.names.components.push_back(args[0]);
        global = false;
      } else {
        include(args[0], depth);
      }
      return;
    }
    if (!std::regex_search(text, m, option)) return;
    std::string key = m[1].str();
    std::string value = m[2].str();
    std::vector<std::string> strings = strings_in(value);
    if (key == "certificate" && !strings.empty()) facts.loaded_files.push_back(path_of(strings[0]));
    if (key == "key" && !strings.empty()) facts.loaded_files.push_back(path_of(strings[0]));
    if (key == "cafile" && !strings.empty()) facts.ca_files.push_back(path_of(strings[0]));
    // An inline ssl = { certificate = "..."; cafile = "..." } on one line.
    static const std::regex inline_field(R"re((certificate|key|cafile)\s*=\s*["']([^"']*)["'])re");
    if (key == "ssl" || key == "s2s_ssl" || key == "c2s_ssl")
      for (auto it = std::sregex_iterator(value.begin(), value.end(), inline_field);
           it != std::sregex_iterator(); ++it)
        ((*it)[1].str() == "cafile" ? facts.ca_files : facts.loaded_files)
            .push_back(path_of((*it)[2].str()));
    if (!global) return;
    if (key == "certificates" && !strings.empty()) certificates = strings[0];
    auto first_port = [&](std::optional<Endpoint>& endpoint) {
      std::vector<int> ports = numbers_in(value);
      if (ports.empty()) return;
      if (!endpoint) endpoint = Endpoint{};
      endpoint->port = ports.front();
    };
    if (key == "c2s_ports") first_port(facts.c2s);
    if (key == "s2s_ports") first_port(facts.s2s);
    if (key == "interfaces" && !strings.empty()) interface = strings[0];
    if (key == "c2s_interfaces" && !strings.empty()) c2s_interface = strings[0];
    if (key == "s2s_interfaces" && !strings.empty()) s2s_interface = strings[0];
  }

  void include(const std::string& pattern, int depth) {
    fs::path full = path_of(pattern);
    if (full.filename().string().find_first_of("*?[") != std::string::npos)
      facts.include_folders.push_back(full.parent_path().lexically_normal());
    for (const auto& file : glob_paths(full)) read(file, depth + 1);
  }

  fs::path path_of(const std::string& text) const {
    fs::path p(text);
    return p.is_absolute() ? p : base_ / p;
  }

 public:
  std::optional<std::string> interface;
  std::optional<std::string> c2s_interface;  // c2s_interfaces / s2s_interfaces override it
  std::optional<std::string> s2s_interface;

 private:
  fs::path base_;
};

}  // namespace

ServerFacts read_prosody_config(const fs::path& config) {
  Reader reader(config);
  reader.read(config, 0);
  ServerFacts facts = reader.facts;
  fs::path dir = config.parent_path();
  fs::path certs = reader.certificates ? fs::path(*reader.certificates) : fs::path("certs");
  facts.cert_dir = certs.is_absolute() ? certs : dir / certs;
  facts.loaded_files.push_back(facts.cert_dir);
  for (auto* endpoint : {&facts.c2s, &facts.s2s}) {
    bool c2s = endpoint == &facts.c2s;
    if (!*endpoint) *endpoint = Endpoint{"", c2s ? 5222 : 5269};
    const auto& own = c2s ? reader.c2s_interface : reader.s2s_interface;
    (*endpoint)->host = own.value_or(reader.interface.value_or(""));
  }
  return facts;
}

}  // namespace xmppcert
