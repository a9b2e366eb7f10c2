#include "ca/va/validator.h"

#include <algorithm>

#include "ca/problem.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "openssl/evp.h"

namespace xmppcert::ca {
namespace {

std::string trim(std::string text) {
  auto space = [](unsigned char c) { return std::isspace(c); };
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), space));
  text.erase(std::find_if_not(text.rbegin(), text.rend(), space).base(), text.end());
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  return text;
}

}  // namespace

std::string key_authorization_digest(const std::string& key_authorization) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(key_authorization.data(), key_authorization.size(), digest, &length, EVP_sha256(),
             nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

Validator::Validator(ValidationOptions options)
    : options_(std::move(options)), targets_(options_.networks), resolver_(options_.resolver) {}

void check_deadline(Deadline deadline, const std::string& what) {
  if (std::chrono::steady_clock::now() >= deadline)
    throw AcmeProblem("connection", what + ": no answer within the validation deadline");
}

std::vector<std::string> Validator::addresses_of(const std::string& domain, Deadline deadline,
                                                 ValidationRecord* record) {
  std::vector<std::string> addresses;
  try {
    addresses = resolver_.addresses(domain, deadline);
  } catch (const OperationError& error) {
    throw AcmeProblem("dns", error.what());
  }
  // Said in full: on a closed network the usual surprise is a name only /etc/hosts knows.
  if (addresses.empty())
    throw AcmeProblem("dns", "no A or AAAA record for " + domain +
                                 " in DNS (the CA resolves through DNS only and never reads "
                                 "/etc/hosts: give the name a record in the resolver it uses, "
                                 "\"resolver\" or --resolver)");
  std::vector<std::string> allowed;
  std::string refused;
  for (const auto& address : addresses)
    if (targets_.allowed(address))
      allowed.push_back(address);
    else
      refused += (refused.empty() ? "" : ", ") + address;
  // Nothing is sent to a refused address; the problem names the addresses DNS gave, never
  // anything a target said.
  if (allowed.empty())
    throw AcmeProblem("rejectedIdentifier",
                      domain + " resolves only to addresses this CA does not validate against (" +
                          refused + ": not global unicast, and not in validation_networks)");
  if (record) record->addresses = allowed;
  return allowed;
}

void Validator::validate(const ChallengeToCheck& challenge, Deadline deadline,
                         ValidationRecord* record) {
  if (challenge.type == "http-01")
    validate_http01(challenge, deadline, record);
  else if (challenge.type == "dns-01")
    validate_dns01(challenge, deadline);
  else if (challenge.type == "tls-alpn-01")
    validate_tls_alpn01(challenge, deadline, record);
  else
    throw AcmeProblem("malformed", "unknown challenge type " + challenge.type);
}

void Validator::validate_http01(const ChallengeToCheck& challenge, Deadline deadline,
                                ValidationRecord* record) {
  const std::string path = "/.well-known/acme-challenge/" + challenge.token;
  std::string last_failure;
  for (const auto& address : addresses_of(challenge.domain, deadline, record)) {
    check_deadline(deadline, "http-01: " + challenge.domain);
    std::string body;
    try {
      body = http01_fetch(address, options_.http_port, challenge.domain, path, deadline);
    } catch (const AcmeProblem& problem) {
      if (problem.type() != "connection") throw;
      last_failure = problem.what();
      continue;  // the next address (IPv4 after IPv6, a second A record)
    }
    if (trim(body) != challenge.key_authorization)
      throw AcmeProblem("incorrectResponse", "http-01: " + challenge.domain + path +
                                                 " does not hold the key authorization");
    return;
  }
  throw AcmeProblem("connection", last_failure);
}

void Validator::validate_dns01(const ChallengeToCheck& challenge, Deadline deadline) {
  const std::string name = "_acme-challenge." + challenge.domain;
  const std::string expected =
      base64url_encode(key_authorization_digest(challenge.key_authorization));
  std::vector<std::string> records;
  try {
    records = resolver_.txt(name, deadline);
  } catch (const OperationError& error) {
    throw AcmeProblem("dns", std::string("dns-01: ") + error.what());
  }
  if (std::find(records.begin(), records.end(), expected) == records.end())
    throw AcmeProblem("incorrectResponse", "dns-01: no TXT record at " + name +
                                               " holds the key authorization digest (" +
                                               std::to_string(records.size()) + " found)");
}

// RFC 8659 §3: the closest name (walking up to the root) that has CAA records decides; no
// records anywhere allows every CA.
void Validator::check_caa(const std::string& domain, Deadline deadline) {
  std::string name = domain;
  while (!name.empty()) {
    std::vector<CaaRecord> records;
    try {
      records = resolver_.caa(name, deadline);
    } catch (const OperationError& error) {
      // The name itself must answer; a parent outside the zone's servers (SERVFAIL or
      // REFUSED from an authoritative-only server) holds no CAA we could honour.
      if (name == domain) throw AcmeProblem("dns", std::string("CAA lookup: ") + error.what());
    }
    if (!records.empty()) {
      bool any_issue = false;
      for (const auto& record : records) {
        std::string tag = lower(record.tag);
        if (tag != "issue" && tag != "issuewild" && tag != "iodef" && (record.flags & 0x80))
          throw AcmeProblem("caa", "CAA at " + name + " has a critical unknown tag " + tag);
        if (tag != "issue") continue;
        any_issue = true;
        std::string issuer = lower(trim(record.value.substr(0, record.value.find(';'))));
        if (issuer == lower(options_.caa_identity)) return;
      }
      if (any_issue)
        throw AcmeProblem("caa", "CAA records at " + name + " do not allow " +
                                     options_.caa_identity + " to issue for " + domain);
      return;
    }
    size_t dot = name.find('.');
    name = dot == std::string::npos ? "" : name.substr(dot + 1);
  }
}

}  // namespace xmppcert::ca
