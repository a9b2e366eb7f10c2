// Where validation may connect (SSRF, issue 24): by default only to global unicast
// addresses. Loopback, RFC 1918, CGNAT, link-local, ULA, multicast, 0/8, the documentation
// and benchmarking ranges and the other special-purpose blocks (IANA's registries) are
// refused before any packet is sent, unless the operator lists a network that holds them in
// the config's "validation_networks" (a closed federation on a private network).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace xmppcert::ca {

// True for an address validation may reach without an operator's say-so. `address` is an
// IPv4 or IPv6 literal; anything else is false.
bool is_global_unicast(const std::string& address);

class ValidationTargets {
 public:
  // `networks`: CIDRs ("10.0.0.0/8", "fd00::/8"); UsageError naming a malformed one.
  explicit ValidationTargets(const std::vector<std::string>& networks = {});
  bool allowed(const std::string& address) const;

 private:
  struct Network {
    std::array<unsigned char, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
    int prefix = 0;                         // over the 128 bits
  };
  std::vector<Network> networks_;
};

}  // namespace xmppcert::ca
