// The validation authority (boulder's va/): proves control of a domain by contacting it.
//   http-01     (RFC 8555 §8.3)  GET http://D:<http port>/.well-known/acme-challenge/TOKEN
//   dns-01      (RFC 8555 §8.4)  TXT _acme-challenge.D holds base64url(SHA-256(key auth))
//   tls-alpn-01 (RFC 8737)       TLS to D:<tls port>, ALPN acme-tls/1, the certificate's
//                                acmeIdentifier holds SHA-256(key auth)
// plus CAA (RFC 8659) against the CA's own issuer domain. Ports and resolver come from
// `serve` so that tests can point them at loopback; production uses 80, 443 and DNS.
// A validation has one deadline (ValidationOptions::timeout, default 10 s) for everything it
// does: CAA and address lookups, every address tried, every byte read.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ca/va/resolver.h"
#include "ca/va/validation_targets.h"

namespace xmppcert::ca {

struct ValidationOptions {
  int http_port = 80;
  int tls_port = 443;
  std::string resolver;                      // "ADDR:PORT"; empty: /etc/resolv.conf
  std::string caa_identity;                  // the issuer domain CAA records must name
  std::chrono::milliseconds timeout{10000};  // one validation, CAA included, all addresses
  std::vector<std::string> networks;         // non-global networks validation may reach (CIDRs)
};

struct ChallengeToCheck {
  std::string type;  // "http-01" | "dns-01" | "tls-alpn-01"
  std::string domain;
  std::string token;
  std::string key_authorization;  // token "." thumbprint
};

// What a validation saw, for whoever must show it (a notary's answer): the addresses DNS
// gave that validation was allowed to contact.
struct ValidationRecord {
  std::vector<std::string> addresses;
};

// What the registration authority asks of validation: the network one below, a fake in the
// in-process tests (tests/ca/in_process_ca.h).
class ChallengeValidator {
 public:
  virtual ~ChallengeValidator() = default;
  // The deadline of a validation starting now.
  virtual Deadline deadline() const = 0;
  // Throws AcmeProblem (dns, connection, incorrectResponse, unauthorized, tls, caa). With
  // record, says what it saw there.
  virtual void validate(const ChallengeToCheck& challenge, Deadline deadline,
                        ValidationRecord* record = nullptr) = 0;
  virtual void check_caa(const std::string& domain, Deadline deadline) = 0;
};

class Validator : public ChallengeValidator {
 public:
  explicit Validator(ValidationOptions options);
  Deadline deadline() const override {
    return std::chrono::steady_clock::now() + options_.timeout;
  }
  void validate(const ChallengeToCheck& challenge, Deadline deadline,
                ValidationRecord* record = nullptr) override;
  void check_caa(const std::string& domain, Deadline deadline) override;

 private:
  std::vector<std::string> addresses_of(const std::string& domain, Deadline deadline,
                                        ValidationRecord* record);
  void validate_http01(const ChallengeToCheck& challenge, Deadline deadline,
                       ValidationRecord* record);
  void validate_dns01(const ChallengeToCheck& challenge, Deadline deadline);
  void validate_tls_alpn01(const ChallengeToCheck& challenge, Deadline deadline,
                           ValidationRecord* record);

  ValidationOptions options_;
  ValidationTargets targets_;
  Resolver resolver_;
};

// One GET over plain HTTP to address:port with Host `host`, body capped at 64 KiB, done by
// `deadline` (va/http01.cc, the only Beast client). Throws AcmeProblem connection on
// transport failure or the deadline, unauthorized on a status other than 200.
std::string http01_fetch(const std::string& address, int port, const std::string& host,
                         const std::string& path, Deadline deadline);

// AcmeProblem connection when `deadline` has passed ("<what>: no answer within the
// validation deadline").
void check_deadline(Deadline deadline, const std::string& what);

// SHA-256 of the key authorization, as tls-alpn-01's acmeIdentifier and dns-01 (encoded)
// carry it.
std::string key_authorization_digest(const std::string& key_authorization);

}  // namespace xmppcert::ca
