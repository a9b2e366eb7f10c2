#include "ca/va/validation_targets.h"

#include <arpa/inet.h>

#include <cstring>
#include <optional>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

using Bytes = std::array<unsigned char, 16>;

// IPv4 mapped into ::ffff:0:0/96, so one comparison serves both families.
std::optional<Bytes> parse_address(const std::string& text) {
  Bytes bytes{};
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return bytes;
  }
  if (::inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return bytes;
  return std::nullopt;
}

bool within(const Bytes& address, const Bytes& network, int prefix) {
  for (int bit = 0; bit < prefix; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
  }
  return true;
}

struct Block {
  const char* address;
  int prefix;  // of the address's own family
};

// IANA IPv4 and IPv6 special-purpose registries, plus multicast and the reserved 240/4.
constexpr Block kNotGlobalV4[] = {{"0.0.0.0", 8},      {"10.0.0.0", 8},     {"100.64.0.0", 10},
                                  {"127.0.0.0", 8},    {"169.254.0.0", 16}, {"172.16.0.0", 12},
                                  {"192.0.0.0", 24},   {"192.0.2.0", 24},   {"192.88.99.0", 24},
                                  {"192.168.0.0", 16}, {"198.18.0.0", 15},  {"198.51.100.0", 24},
                                  {"203.0.113.0", 24}, {"224.0.0.0", 4},    {"240.0.0.0", 4}};
// Inside 2000::/3 (everything outside it, ULA, link-local, multicast, loopback, NAT64
// included, is not global unicast): IETF protocol assignments (Teredo among them),
// documentation, 6to4 (it embeds any IPv4 address).
constexpr Block kNotGlobalV6[] = {
    {"2001::", 23}, {"2001:db8::", 32}, {"2002::", 16}, {"3fff::", 20}};

bool in_blocks(const Bytes& address, bool v4) {
  if (v4) {
    for (const auto& block : kNotGlobalV4)
      if (within(address, *parse_address(block.address), 96 + block.prefix)) return true;
    return false;
  }
  // Global unicast is 2000::/3; inside it, the special-purpose blocks.
  if ((address[0] & 0xe0) != 0x20) return true;
  for (const auto& block : kNotGlobalV6)
    if (within(address, *parse_address(block.address), block.prefix)) return true;
  return false;
}

bool is_mapped_v4(const Bytes& bytes) {
  static const unsigned char kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kPrefix, 12) == 0;
}

}  // namespace

bool is_global_unicast(const std::string& address) {
  auto bytes = parse_address(address);
  return bytes && !in_blocks(*bytes, is_mapped_v4(*bytes));
}

ValidationTargets::ValidationTargets(const std::vector<std::string>& networks) {
  for (const auto& text : networks) {
    size_t slash = text.find('/');
    auto bytes = parse_address(text.substr(0, slash));
    int prefix = -1;
    if (bytes && slash != std::string::npos && slash + 1 < text.size() && slash + 4 >= text.size())
      try {
        prefix = std::stoi(text.substr(slash + 1));
      } catch (const std::exception&) {
      }
    bool v4 = bytes && is_mapped_v4(*bytes) && text.find(':') == std::string::npos;
    if (!bytes || prefix < 0 || prefix > (v4 ? 32 : 128))
      throw UsageError("validation_networks: \"" + text +
                       "\" is not a network (ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8)");
    networks_.push_back({*bytes, v4 ? 96 + prefix : prefix});
  }
}

bool ValidationTargets::allowed(const std::string& address) const {
  auto bytes = parse_address(address);
  if (!bytes) return false;
  for (const auto& network : networks_)
    if (within(*bytes, network.bytes, network.prefix)) return true;
  return is_global_unicast(address);
}

}  // namespace xmppcert::ca
