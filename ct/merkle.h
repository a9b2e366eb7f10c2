// The Merkle hash tree of RFC 6962 §2.1 over SHA-256: leaf hash SHA-256(0x00 || entry),
// node hash SHA-256(0x01 || left || right), a tree of n leaves split at the largest power of
// two below n. The log computes roots, audit paths (PATH) and consistency proofs (PROOF)
// from the leaf hashes it stores; merkle_verify.h checks them on the other side. No I/O,
// no state: OpenSSL's SHA-256 only, so a client can link it as it is.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace xmppcert::ctlog {

using Hash = std::array<unsigned char, 32>;

Hash hash_leaf(std::string_view entry);
Hash hash_children(const Hash& left, const Hash& right);
Hash hash_empty();  // SHA-256 of nothing: the root of the empty tree

// MTH(D[n]) of the leaves whose hashes are given.
Hash root_hash(std::span<const Hash> leaves);

// PATH(m, D[n]) (§2.1.1): the audit path of leaf `index`; index < leaves.size().
std::vector<Hash> audit_path(uint64_t index, std::span<const Hash> leaves);

// PROOF(m, D[n]) (§2.1.2): the consistency proof from the first `first` leaves to all of
// them; 0 < first <= leaves.size() (empty when equal).
std::vector<Hash> consistency_proof(uint64_t first, std::span<const Hash> leaves);

// The largest power of two smaller than n (n >= 2): where the tree splits.
uint64_t split_point(uint64_t n);

}  // namespace xmppcert::ctlog
