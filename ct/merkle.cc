#include "ct/merkle.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace xmppcert::ctlog {
namespace {

Hash sha256_parts(unsigned char prefix, std::string_view a, std::string_view b = {}) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  Hash out;
  bool ok = context && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) &&
            EVP_DigestUpdate(context, &prefix, 1) &&
            EVP_DigestUpdate(context, a.data(), a.size()) &&
            EVP_DigestUpdate(context, b.data(), b.size()) &&
            EVP_DigestFinal_ex(context, out.data(), nullptr);
  EVP_MD_CTX_free(context);
  if (!ok) throw std::runtime_error("SHA-256 failed (out of memory?)");
  return out;
}

std::string_view bytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

void subproof(uint64_t m, std::span<const Hash> leaves, bool whole, std::vector<Hash>& out) {
  uint64_t n = leaves.size();
  if (m == n) {
    if (!whole) out.push_back(root_hash(leaves));
    return;
  }
  uint64_t k = split_point(n);
  if (m <= k) {
    subproof(m, leaves.first(k), whole, out);
    out.push_back(root_hash(leaves.subspan(k)));
  } else {
    subproof(m - k, leaves.subspan(k), false, out);
    out.push_back(root_hash(leaves.first(k)));
  }
}

}  // namespace

Hash hash_leaf(std::string_view entry) { return sha256_parts(0x00, entry); }

Hash hash_children(const Hash& left, const Hash& right) {
  return sha256_parts(0x01, bytes(left), bytes(right));
}

Hash hash_empty() {
  Hash out;
  SHA256(nullptr, 0, out.data());
  return out;
}

uint64_t split_point(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

Hash root_hash(std::span<const Hash> leaves) {
  if (leaves.empty()) return hash_empty();
  if (leaves.size() == 1) return leaves[0];
  uint64_t k = split_point(leaves.size());
  return hash_children(root_hash(leaves.first(k)), root_hash(leaves.subspan(k)));
}

std::vector<Hash> audit_path(uint64_t index, std::span<const Hash> leaves) {
  if (index >= leaves.size()) throw std::out_of_range("audit path: leaf index past the tree");
  std::vector<Hash> out;
  // Bottom-up: the recursion PATH(m, D[n]) = PATH(m', half) : MTH(other half).
  while (leaves.size() > 1) {
    uint64_t k = split_point(leaves.size());
    if (index < k) {
      out.insert(out.begin(), root_hash(leaves.subspan(k)));
      leaves = leaves.first(k);
    } else {
      out.insert(out.begin(), root_hash(leaves.first(k)));
      leaves = leaves.subspan(k);
      index -= k;
    }
  }
  return out;
}

std::vector<Hash> consistency_proof(uint64_t first, std::span<const Hash> leaves) {
  if (first == 0 || first > leaves.size())
    throw std::out_of_range("consistency proof: first size not in 1..tree size");
  std::vector<Hash> out;
  subproof(first, leaves, true, out);
  return out;
}

}  // namespace xmppcert::ctlog
