// The documentation against the parsers (issue 17, finding 9): every config key a parser
// accepts is in xmppcert.conf(5), and every option a subcommand's parser accepts is in its
// --help. The keys and options are read from the sources the parsers are built from (the
// JsonFields::allow_only lists and the keys read next to them; the parse_args tables), so a
// key added there without documentation fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = XMPPCERT_SOURCE_DIR;

std::vector<fs::path> sources_under(const std::vector<std::string>& folders) {
  std::vector<fs::path> files;
  for (const auto& folder : folders)
    for (const auto& entry : fs::recursive_directory_iterator(kSource / folder))
      if (entry.path().extension() == ".cc") files.push_back(entry.path());
  return files;
}

std::set<std::string> quoted_strings(const std::string& text) {
  std::set<std::string> out;
  static const std::regex quoted("\"([a-z0-9_]+)\"");
  for (std::sregex_iterator it(text.begin(), text.end(), quoted), end; it != end; ++it)
    out.insert((*it)[1]);
  return out;
}

// file -> keys: the allow_only lists, and keys read through JsonFields accessors in files
// that declare such a list (the "plugin" of "install" is read, not listed).
std::map<std::string, std::set<std::string>> config_keys() {
  // allow_only({...}), or a key vector built for it (request.cc adds the issuers' sections).
  static const std::regex allow_only(
      R"((?:allow_only\(\s*\{|std::vector<std::string> keys\{)([^}]*)\})");
  static const std::regex accessor(
      R"(fields\.(string|boolean|strings|object)\(\s*"([a-z0-9_]+)\")");
  std::map<std::string, std::set<std::string>> keys;
  for (const auto& file : sources_under({"engine", "plugins", "dane"})) {
    std::string text = read_file(file);
    std::string name = fs::relative(file, kSource).string();
    bool lists = false;
    for (std::sregex_iterator it(text.begin(), text.end(), allow_only), end; it != end; ++it) {
      lists = true;
      for (const auto& key : quoted_strings((*it)[1])) keys[name].insert(key);
    }
    if (!lists) continue;
    for (std::sregex_iterator it(text.begin(), text.end(), accessor), end; it != end; ++it)
      keys[name].insert((*it)[2]);
  }
  return keys;
}

TEST(Documentation, TheKeyListsAreFoundInTheSources) {
  auto keys = config_keys();
  EXPECT_TRUE(keys["engine/request.cc"].count("install"));
  EXPECT_TRUE(keys["engine/request.cc"].count("plugin"));
  EXPECT_TRUE(keys["plugins/servers/files/files_plugin.cc"].count("fullchain"));
  EXPECT_GE(keys.size(), 6u);
}

// In bold: \fBkey\fR in the text, or a ".B key" (".B ports, ttl") heading.
bool documents_key(const std::string& man, const std::string& key) {
  if (man.find("\\fB" + key + "\\fR") != std::string::npos) return true;
  return std::regex_search(man, std::regex("(^|\n)\\.B ([a-z0-9_]+, )*" + key + "(,|\n)"));
}

TEST(Documentation, EveryConfigKeyAParserAcceptsIsInTheConfManPage) {
  std::string man = read_file(kSource / "docs" / "man" / "xmppcert.conf.5");
  for (const auto& [file, names] : config_keys())
    for (const auto& key : names)
      EXPECT_TRUE(documents_key(man, key))
          << "xmppcert.conf.5 does not document " << key << " (accepted in " << file << ")";
}

// command -> the options its parse_args table declares.
std::map<std::string, std::set<std::string>> command_options() {
  // The shared options, by the constant that declares them.
  std::map<std::string, std::string> constants;
  static const std::regex constant(R"(inline const (?:cmdline::)?OptionSpec (k\w+)\{"(--[a-z0-9-]+)\")");
  for (const auto& file : {"cli/session.h", "cli/certificate_for_domain.h"}) {
    std::string text = read_file(kSource / file);
    for (std::sregex_iterator it(text.begin(), text.end(), constant), end; it != end; ++it)
      constants[(*it)[1]] = (*it)[2];
  }
  static const std::regex call(R"re(parse_args\(\s*"([a-z-]+)",\s*raw,([^;]*)\);)re");
  static const std::regex option(R"re("(--[a-z0-9-]+)"|(k\w+Option))re");
  std::map<std::string, std::set<std::string>> options;
  for (const auto& file : sources_under({"cli"})) {
    std::string text = read_file(file);
    for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
      std::string table = (*it)[2];
      for (std::sregex_iterator o(table.begin(), table.end(), option), oend; o != oend; ++o)
        options[(*it)[1]].insert((*o)[1].matched ? std::string((*o)[1]) : constants.at((*o)[2]));
    }
  }
  // enroll's issuer flags come from the issuers' declarations (plugins/plugin_settings.h); a
  // refused flag (a secret in argv) is not an option and needs no help line.
  static const std::regex flag(R"re(\{"(--[a-z0-9-]+)", "[^"]*", k(\w+),)re");
  for (const auto& file : sources_under({"plugins/issuers"})) {
    if (file.filename() != "declaration.cc") continue;
    std::string text = read_file(file);
    for (std::sregex_iterator it(text.begin(), text.end(), flag), end; it != end; ++it)
      if ((*it)[2] != "Refused") options["enroll"].insert((*it)[1]);
  }
  return options;
}

bool mentions_option(const std::string& help, const std::string& option) {
  for (size_t at = help.find(option); at != std::string::npos; at = help.find(option, at + 1)) {
    size_t after = at + option.size();
    if (after == help.size() ||
        !(std::isalnum(static_cast<unsigned char>(help[after])) || help[after] == '-'))
      return true;
  }
  return false;
}

TEST(Documentation, EveryOptionACommandAcceptsIsInItsHelp) {
  auto options = command_options();
  EXPECT_TRUE(options["enroll"].count("--acme-directory"));
  EXPECT_TRUE(options["renew"].count("--state-dir"));
  EXPECT_GE(options.size(), 10u);
  for (const auto& [command, names] : options) {
    ProcessResult help = run_xmppcert({command, "--help"});
    ASSERT_EQ(help.exit_code, 0) << command << ": " << help.err;
    for (const auto& name : names)
      EXPECT_TRUE(mentions_option(help.out, name))
          << "xmppcert " << command << " --help does not mention " << name;
  }
}

}  // namespace
}  // namespace xmppcert::testing
