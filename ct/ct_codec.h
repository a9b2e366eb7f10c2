// The bytes of RFC 6962 (§3.4 MerkleTreeLeaf, §3.2 SCT and §3.5 tree head signature inputs,
// §4.6 extra_data) in TLS presentation encoding: big-endian integers, vectors prefixed with
// their length in as many bytes as their bound needs. Also the small text codings of the
// v1 API: standard base64 and percent-decoded query parameters.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ct/merkle.h"

namespace xmppcert::ctlog {

// MerkleTreeLeaf { version v1, timestamped_entry, TimestampedEntry { timestamp,
// x509_entry, ASN.1Cert, no extensions } }.
std::string x509_leaf_input(uint64_t timestamp_ms, std::string_view cert_der);

// What a leaf holds; nullopt unless it is a well-formed v1 x509_entry leaf.
struct X509Leaf {
  uint64_t timestamp_ms = 0;
  std::string cert_der;
};
std::optional<X509Leaf> parse_x509_leaf_input(std::string_view leaf_input);

// extra_data of an x509_entry: ASN.1Cert certificate_chain<0..2^24-1>, issuer first.
std::string x509_chain_extra_data(const std::vector<std::string>& chain_der);

// The digitally-signed inputs: TreeHeadSignature (§3.5) and an x509 SCT's (§3.2).
std::string tree_head_signature_input(uint64_t timestamp_ms, uint64_t tree_size, const Hash& root);
std::string sct_signature_input(uint64_t timestamp_ms, std::string_view cert_der);

// DigitallySigned { hash sha256(4), signature ecdsa(3), opaque signature<0..2^16-1> }.
std::string digitally_signed(uint8_t signature_algorithm, std::string_view signature);

std::optional<std::string> base64_decode(std::string_view text);
std::string base64_of(const Hash& hash);

// "a=1&b=x%2By" -> {a: 1, b: x+y}; nullopt on a bad escape. '+' stays '+' (RFC 3986, not
// forms): base64 hashes keep their plus signs when a client forgets to escape them.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace xmppcert::ctlog
