// Checking what a log claims (RFC 9162 §2.1.3.2 and §2.1.4.2, the verification algorithms
// for RFC 6962's audit paths and consistency proofs): that a leaf is in a tree of a given
// root, and that a larger tree extends a smaller one (the log rewrote no history). For
// monitors and clients: it trusts nothing it is given.
#pragma once

#include <cstdint>
#include <vector>

#include "ct/merkle.h"

namespace xmppcert::ctlog {

bool verify_inclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                      const std::vector<Hash>& path, const Hash& root);

bool verify_consistency(uint64_t first_size, uint64_t second_size, const Hash& first_root,
                        const Hash& second_root, const std::vector<Hash>& proof);

}  // namespace xmppcert::ctlog
