// Debian's BIND as the authoritative server of example.test (or another zone) on 127.0.0.1,
// run as nobody in a temp dir; stopped by the destructor. The ACME tests use it for dns-01 by
// dynamic update, the federation tests as the namespace's resolver on port 53, the DANE
// federation test as the DNSSEC-signed zone behind a validating unbound.
#pragma once

#include <sys/types.h>

#include <string>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

struct BindOptions {
  int port = 0;               // 0: a free port
  std::string records;        // zone lines after SOA/NS, e.g. "a IN A 127.0.0.2\n"
  bool allow_update = false;  // RFC 2136 updates from 127.0.0.1
  // Non-empty: updates only when TSIG-signed with key "xmppcert-test" (hmac-sha256, this
  // base64 secret); tsig_key_file() writes that key for nsupdate -k.
  std::string tsig_secret;
  std::string zone = "example.test";
  // Signed by BIND itself (dnssec-policy default: one ECDSA P-256 CSK), updates included.
  bool dnssec = false;
  // Set: also answers on this address (the namespace's own on a test network), same port.
  std::string also_listen_on;
};

// A key file as nsupdate -k and named read it: key "xmppcert-test" { ...; secret "..."; };
std::string tsig_key_text(const std::string& secret);

class BindServer {
 public:
  static bool available();
  explicit BindServer(const BindOptions& options);
  ~BindServer();
  int port() const { return port_; }
  const std::string& zone() const { return zone_; }
  // For a signed zone: its key-signing DNSKEY as a trust anchor line ("ZONE. DNSKEY 257 3 13
  // BASE64"), asked with dig once BIND has signed the zone; throws after 10 s without one.
  std::string trust_anchor() const;

 private:
  std::string signed_zone_key() const;

  TempDir dir_;
  int port_ = 0;
  std::string zone_;
  pid_t pid_ = -1;
};

}  // namespace xmppcert::testing
