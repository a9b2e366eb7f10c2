#include "dane/tlsa_dns.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "engine/command_runner.h"
#include "engine/errors.h"

namespace xmppcert {

void require_tlsa_owner(const std::string& owner) {
  bool ok = owner.size() > 8 && owner.size() <= 255 && owner.front() == '_' &&
            owner.back() == '.' && owner.find("..") == std::string::npos;
  for (char c : owner)
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_');
  if (!ok) throw_operation_error("publish TLSA at", "\"" + owner + "\"", "not a TLSA owner name");
}

void require_spki_hash(const std::string& hash) {
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw_operation_error("publish TLSA data", "\"" + hash + "\"", "not a SHA-256 in hex");
}

void require_tlsa_change(const std::vector<std::string>& owners,
                         const std::vector<std::string>& add,
                         const std::vector<std::string>& remove) {
  for (const auto& owner : owners) require_tlsa_owner(owner);
  for (const auto& hash : add) require_spki_hash(hash);
  for (const auto& hash : remove) require_spki_hash(hash);
}

std::vector<std::string> parse_dig_tlsa(const std::string& output) {
  std::vector<std::string> hashes;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string usage, selector, matching, part, data;
    if (!(fields >> usage >> selector >> matching) || usage != "3" || selector != "1" ||
        matching != "1")
      continue;
    while (fields >> part) data += part;
    std::transform(data.begin(), data.end(), data.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (data.size() == 64 && data.find_first_not_of("0123456789abcdef") == std::string::npos)
      hashes.push_back(data);
  }
  return hashes;
}

std::vector<std::string> DigTlsaResolver::spki_hashes(const std::string& owner) {
  require_tlsa_owner(owner);
  std::vector<std::string> argv{"dig", "+short", "+time=2", "+tries=2"};
  if (!settings_.server.empty())
    argv.insert(argv.end(), {"-p", std::to_string(settings_.port), "@" + settings_.server});
  argv.insert(argv.end(), {owner, "TLSA"});
  CommandResult result = commands_.run(argv, std::chrono::seconds(30), "", {});
  if (result.exit_code != 0)
    throw_operation_error("query TLSA", owner,
                          "dig exit code " + std::to_string(result.exit_code) +
                              (settings_.server.empty() ? "" : " at " + settings_.server));
  return parse_dig_tlsa(result.output);
}

}  // namespace xmppcert
