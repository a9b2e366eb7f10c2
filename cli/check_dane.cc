#include "cli/check_dane.h"

#include <arpa/inet.h>

#include <algorithm>

#include "dane/dane.h"
#include "dane/dane_check.h"
#include "dane/posh.h"
#include "engine/errors.h"
#include "engine/http.h"

namespace xmppcert::cli {
namespace {

bool is_address(const std::string& host) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// RFC 7673: the TLSA records sit at the name connected to (the SRV target), on its port.
std::string tlsa_owner(const ProbeTarget& target) {
  std::string host = is_address(target.host) ? target.domain : target.host;
  if (!host.ends_with(".")) host += ".";
  return "_" + std::to_string(target.port) + "._tcp." + host;
}

}  // namespace

DaneCheck check_dane(const ProbeTarget& target, X509* leaf, const cmdline::ParsedArgs& args) {
  DaneCheck check;
  std::string served_key = spki_sha256_hex(leaf);
  std::string owner = tlsa_owner(target);
  std::string resolver = args.value("--resolver").value_or("");
  int port = 53;
  if (auto p = args.value("--resolver-port")) port = cmdline::parse_port(*p, "check: --resolver-port");
  nlohmann::json tlsa = {{"owner", owner}, {"resolver", resolver.empty() ? "system" : resolver}};
  try {
    TlsaAnswer answer = query_tlsa_answer(owner, resolver, port);
    bool match = std::find(answer.spki_hashes.begin(), answer.spki_hashes.end(), served_key) !=
                 answer.spki_hashes.end();
    check.tlsa_ok = match && answer.authenticated;
    tlsa.update({{"status", answer.status},
                 {"authenticated", answer.authenticated},
                 {"records", answer.spki_hashes},
                 {"matches", match}});
    check.text += "\n  TLSA:        " + owner + " " + answer.status + ", " +
                  std::to_string(answer.spki_hashes.size()) + " record(s) 3 1 1, " +
                  (answer.authenticated ? "AD (DNSSEC-validated)" : "no AD bit (NOT validated)") +
                  "\n  DANE:        " +
                  (match ? "served key matches a TLSA record" : "served key matches NO record") +
                  (check.tlsa_ok ? ""
                   : match       ? ", but the answer is not validated"
                                 : "");
  } catch (const OperationError& e) {
    tlsa["error"] = e.what();
    check.text += std::string("\n  TLSA:        ") + e.what();
  }
  std::string url = args.value("--posh-url")
                        .value_or("https://" + target.domain + "/.well-known/posh/" +
                                  (target.s2s ? "xmpp-server.json" : "xmpp-client.json"));
  nlohmann::json posh = {{"url", url}};
  try {
    require_secure_url(url);
    HttpOptions options;
    options.ca_file = args.value("--posh-ca").value_or("");
    options.timeout = std::chrono::seconds(10);
    CurlHttpClient http(options);
    HttpResponse response = http.get(url);
    if (response.status != 200)
      throw_operation_error("fetch POSH document", url, "HTTP " + std::to_string(response.status));
    auto fingerprints = posh_fingerprints(response.body, url);
    std::string served = certificate_sha256_base64(leaf);
    check.posh_ok =
        std::find(fingerprints.begin(), fingerprints.end(), served) != fingerprints.end();
    posh.update({{"fingerprints", fingerprints}, {"matches", check.posh_ok}});
    check.text += "\n  POSH:        " + url +
                  (check.posh_ok ? " names the served certificate"
                                 : " names " + std::to_string(fingerprints.size()) +
                                       " other certificate(s), NOT the served one");
  } catch (const OperationError& e) {
    posh["error"] = e.what();  // a domain without POSH is no failure
    check.text += std::string("\n  POSH:        none (") + e.what() + ")";
  }
  check.json = {{"tlsa", tlsa}, {"posh", posh}, {"ok", check.tlsa_ok && check.posh_ok}};
  return check;
}

}  // namespace xmppcert::cli
