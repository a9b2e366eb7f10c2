#include "ct/merkle_verify.h"

namespace xmppcert::ctlog {
namespace {

// Shifts both indices right until fn's lowest bit is set or fn is 0 (the "while not LSB(fn)"
// loops of RFC 9162).
void climb_to_right_child(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

bool verify_inclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                      const std::vector<Hash>& path, const Hash& root) {
  if (index >= tree_size) return false;
  uint64_t fn = index, sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = hash_children(p, r);
      climb_to_right_child(fn, sn);
    } else {
      r = hash_children(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(uint64_t first_size, uint64_t second_size, const Hash& first_root,
                        const Hash& second_root, const std::vector<Hash>& proof) {
  if (first_size > second_size) return false;
  if (first_size == second_size) return proof.empty() && first_root == second_root;
  if (first_size == 0) return proof.empty();  // the empty tree is a prefix of every tree
  if (proof.empty()) return false;
  std::vector<Hash> path = proof;
  // A first tree of 2^k leaves is a complete subtree: its root is the proof's first node.
  if ((first_size & (first_size - 1)) == 0) path.insert(path.begin(), first_root);
  uint64_t fn = first_size - 1, sn = second_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = hash_children(c, fr);
      sr = hash_children(c, sr);
      climb_to_right_child(fn, sn);
    } else {
      sr = hash_children(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

}  // namespace xmppcert::ctlog
