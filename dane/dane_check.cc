#include "dane/dane_check.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dane/tlsa_dns.h"
#include "engine/command_runner.h"
#include "engine/errors.h"

namespace xmppcert {

TlsaAnswer parse_dig_tlsa_answer(const std::string& output) {
  TlsaAnswer answer;
  std::istringstream lines(output);
  std::string line, tlsa_data;
  bool in_answer = false;
  while (std::getline(lines, line)) {
    if (size_t at = line.find("status: ");
        line.starts_with(";; ->>HEADER<<-") && at != std::string::npos)
      answer.status = line.substr(at + 8, line.find(',', at) - at - 8);
    if (line.starts_with(";; flags:")) {
      std::string flags = line.substr(9, line.find(';', 9) - 9);
      std::istringstream words(flags);
      std::string flag;
      while (words >> flag) answer.authenticated = answer.authenticated || flag == "ad";
    }
    if (line.starts_with(";; ")) in_answer = line.starts_with(";; ANSWER SECTION:");
    if (!in_answer || line.empty() || line.front() == ';') continue;
    std::istringstream fields(line);
    std::string owner, ttl, cls, type, rest;
    if (!(fields >> owner >> ttl >> cls >> type) || type != "TLSA") continue;
    std::getline(fields, rest);
    tlsa_data += rest + "\n";
  }
  answer.spki_hashes = parse_dig_tlsa(tlsa_data);
  return answer;
}

TlsaAnswer query_tlsa_answer(const std::string& owner, const std::string& resolver, int port,
                             const CommandRunner& commands) {
  require_tlsa_owner(owner);
  std::vector<std::string> argv{"dig", "+dnssec", "+time=2", "+tries=2"};
  if (!resolver.empty()) argv.insert(argv.end(), {"-p", std::to_string(port), "@" + resolver});
  argv.insert(argv.end(), {owner, "TLSA"});
  CommandResult result = commands.run(argv, std::chrono::seconds(30), "", {});
  if (result.exit_code != 0)
    throw_operation_error("query TLSA", owner,
                          "dig exit code " + std::to_string(result.exit_code) +
                              (resolver.empty() ? "" : " at " + resolver));
  return parse_dig_tlsa_answer(result.output);
}

std::vector<std::string> posh_fingerprints(const std::string& document, const std::string& where) {
  nlohmann::json json = nlohmann::json::parse(document, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("fingerprints") ||
      !json["fingerprints"].is_array())
    throw_operation_error("read POSH document", where, "no \"fingerprints\" array");
  std::vector<std::string> out;
  for (const auto& entry : json["fingerprints"])
    if (entry.is_object() && entry.contains("sha-256") && entry["sha-256"].is_string())
      out.push_back(entry["sha-256"].get<std::string>());
  return out;
}

}  // namespace xmppcert
