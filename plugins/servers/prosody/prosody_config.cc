#include "plugins/servers/prosody/prosody_config.h"

#include <cctype>
#include <optional>
#include <sstream>
#include <utility>

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

// Hand scanners, not std::regex: libstdc++'s regex recurses per character and a 50 KB line
// in a config the prosody user can write overflowed root's stack.

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

size_t skip_space(const std::string& text, size_t at) {
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
  return at;
}

// The quoted strings of a line, in order ("..." or '...', no escapes).
std::vector<std::string> strings_in(const std::string& line) {
  std::vector<std::string> out;
  for (size_t at = 0; at < line.size(); ++at) {
    if (line[at] != '"' && line[at] != '\'') continue;
    size_t close = line.find(line[at], at + 1);
    if (close == std::string::npos) break;
    out.push_back(line.substr(at + 1, close - at - 1));
    at = close;
  }
  return out;
}

// Whole numbers of 1-5 digits standing alone (not part of a word).
std::vector<int> numbers_in(const std::string& text) {
  std::vector<int> out;
  for (size_t at = 0; at < text.size();) {
    if (!is_word(text[at])) {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < text.size() && is_word(text[end])) ++end;
    size_t length = end - at;
    if (length <= 5 && text.find_first_not_of("0123456789", at) >= end)
      out.push_back(std::stoi(text.substr(at, length)));
    at = end;
  }
  return out;
}

// The identifier a line starts with (after blanks), and where it ends.
std::string leading_word(const std::string& text, size_t& end) {
  size_t start = skip_space(text, 0);
  end = start;
  while (end < text.size() && is_word(text[end])) ++end;
  return text.substr(start, end - start);
}

// `name = value`: the name and the value (rest of the line), when the line is one.
std::optional<std::pair<std::string, std::string>> option_of(const std::string& text) {
  size_t end = 0;
  std::string name = leading_word(text, end);
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return std::nullopt;
  size_t equals = skip_space(text, end);
  if (equals >= text.size() || text[equals] != '=') return std::nullopt;
  return std::make_pair(name, text.substr(skip_space(text, equals + 1)));
}

// certificate/key/cafile = "path" pairs inside an inline ssl = { ... }.
std::vector<std::pair<std::string, std::string>> inline_fields(const std::string& value) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t at = 0; at < value.size(); ++at) {
    for (const char* field : {"certificate", "key", "cafile"}) {
      size_t length = std::char_traits<char>::length(field);
      if (value.compare(at, length, field) != 0) continue;
      size_t equals = skip_space(value, at + length);
      if (equals >= value.size() || value[equals] != '=') continue;
      size_t quote = skip_space(value, equals + 1);
      if (quote >= value.size() || (value[quote] != '"' && value[quote] != '\'')) continue;
      size_t close = value.find_first_of("\"'", quote + 1);
      if (close == std::string::npos) continue;
      out.emplace_back(field, value.substr(quote + 1, close - quote - 1));
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(const fs::path& main) : base_(main.parent_path()) {}

  void read(const fs::path& file, int depth) {
    if (depth > 8) throw UsageError(file.string() + ": Include nested more than 8 deep");
    std::string text;
    try {  // capped, and never a FIFO: the prosody user can write its config
      text = read_file(file);
    } catch (const OperationError& e) {
      throw UsageError("read prosody config " + file.string() + ": " + e.what());
    }
    std::istringstream in(text);
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
  std::optional<std::string> pidfile;    // relative: to data_path, as prosody reads it
  std::optional<std::string> data_path;

 private:
  void line(const std::string& text, const fs::path& file, int number, int depth) {
    auto where = [&] { return file.string() + ":" + std::to_string(number); };
    size_t word_end = 0;
    std::string word = leading_word(text, word_end);
    if (word == "VirtualHost" || word == "Host" || word == "Component" || word == "Include" ||
        word == "include" || word == "includes") {
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
    auto option = option_of(text);
    if (!option) return;
    const std::string& key = option->first;
    const std::string& value = option->second;
    std::vector<std::string> strings = strings_in(value);
    if (key == "certificate" && !strings.empty()) facts.loaded_files.push_back(path_of(strings[0]));
    if (key == "key" && !strings.empty()) facts.loaded_files.push_back(path_of(strings[0]));
    if (key == "cafile" && !strings.empty()) facts.ca_files.push_back(path_of(strings[0]));
    // An inline ssl = { certificate = "..."; cafile = "..." } on one line.
    if (key == "ssl" || key == "s2s_ssl" || key == "c2s_ssl")
      for (const auto& [field, path] : inline_fields(value))
        (field == "cafile" ? facts.ca_files : facts.loaded_files).push_back(path_of(path));
    if (!global) return;
    if (key == "certificates" && !strings.empty()) certificates = strings[0];
    if (key == "pidfile" && !strings.empty()) pidfile = strings[0];
    if (key == "data_path" && !strings.empty()) data_path = strings[0];
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
  if (reader.pidfile) {
    fs::path pidfile(*reader.pidfile);
    if (pidfile.is_relative() && reader.data_path) pidfile = fs::path(*reader.data_path) / pidfile;
    if (pidfile.is_absolute()) facts.pidfiles["prosody"] = pidfile;
  }
  for (auto* endpoint : {&facts.c2s, &facts.s2s}) {
    bool c2s = endpoint == &facts.c2s;
    if (!*endpoint) *endpoint = Endpoint{"", c2s ? 5222 : 5269};
    const auto& own = c2s ? reader.c2s_interface : reader.s2s_interface;
    (*endpoint)->host = own.value_or(reader.interface.value_or(""));
  }
  return facts;
}

}  // namespace xmppcert
