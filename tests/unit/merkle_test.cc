// The RFC 6962 Merkle tree (ct/merkle.h) and its verifier (ct/merkle_verify.h):
// the §2.1.3 example tree, and every audit path and consistency proof of every tree up to
// 64 leaves verifying, while a changed leaf, index, root or proof node does not. (The tree
// size is bound by the signed tree head, not by the proofs: leaf 0 of 3 and of 4 share a path.)
#include "ct/merkle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ct/merkle_verify.h"

namespace xmppcert::ctlog {
namespace {

std::vector<Hash> leaves(size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(hash_leaf("entry " + std::to_string(i)));
  return out;
}

std::string hex(const Hash& hash) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : hash) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

TEST(MerkleTree, HashesFollowRfc6962Prefixes) {
  // SHA-256 of the empty string, and of a single 0x00 byte (the leaf hash of an empty entry).
  EXPECT_EQ(hex(hash_empty()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(hash_leaf("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  Hash a = hash_leaf("a"), b = hash_leaf("b");
  EXPECT_EQ(root_hash(std::vector<Hash>{a}), a);
  EXPECT_EQ(root_hash(std::vector<Hash>{a, b}), hash_children(a, b));
  EXPECT_NE(hash_children(a, b), hash_children(b, a));
}

// The tree of RFC 6962 §2.1.3: seven leaves d0..d6, inner nodes g h i j k l.
TEST(MerkleTree, Rfc6962ExampleAuditPathsAndConsistencyProofs) {
  auto d = leaves(7);
  Hash a = d[0], b = d[1], c = d[2], dd = d[3], e = d[4], f = d[5], j = d[6];
  Hash g = hash_children(a, b), h = hash_children(c, dd), i = hash_children(e, f);
  Hash k = hash_children(g, h), l = hash_children(i, j);
  Hash root = hash_children(k, l);
  EXPECT_EQ(root_hash(d), root);
  EXPECT_EQ(audit_path(0, d), (std::vector<Hash>{b, h, l}));
  EXPECT_EQ(audit_path(3, d), (std::vector<Hash>{c, g, l}));
  EXPECT_EQ(audit_path(4, d), (std::vector<Hash>{f, j, k}));
  EXPECT_EQ(audit_path(6, d), (std::vector<Hash>{i, k}));
  EXPECT_EQ(consistency_proof(3, d), (std::vector<Hash>{c, dd, g, l}));
  EXPECT_EQ(consistency_proof(4, d), (std::vector<Hash>{l}));
  EXPECT_EQ(consistency_proof(6, d), (std::vector<Hash>{i, j, k}));
  EXPECT_TRUE(consistency_proof(7, d).empty());
  std::vector<Hash> first3(d.begin(), d.begin() + 3);
  EXPECT_TRUE(verify_consistency(3, 7, root_hash(first3), root, consistency_proof(3, d)));
}

TEST(MerkleTree, EveryAuditPathUpTo64LeavesVerifiesAndAlteredOnesDoNot) {
  for (size_t n = 1; n <= 64; ++n) {
    auto d = leaves(n);
    Hash root = root_hash(d);
    for (size_t m = 0; m < n; ++m) {
      auto path = audit_path(m, d);
      ASSERT_TRUE(verify_inclusion(d[m], m, n, path, root)) << m << " in " << n;
      EXPECT_FALSE(verify_inclusion(hash_leaf("other"), m, n, path, root));
      EXPECT_FALSE(verify_inclusion(d[m], m, n, path, hash_leaf("x")));
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion(d[m], (m + 1) % n, n, path, root));
      }
      if (!path.empty()) {
        auto altered = path;
        altered.back()[0] ^= 1;
        EXPECT_FALSE(verify_inclusion(d[m], m, n, altered, root));
        auto longer = path;
        longer.push_back(root);
        EXPECT_FALSE(verify_inclusion(d[m], m, n, longer, root));
      }
    }
    EXPECT_FALSE(verify_inclusion(d[0], n, n, {}, root));
  }
}

TEST(MerkleTree, EveryConsistencyProofUpTo64LeavesVerifiesAndAlteredOnesDoNot) {
  for (size_t n = 1; n <= 64; ++n) {
    auto d = leaves(n);
    Hash second = root_hash(d);
    for (size_t m = 1; m <= n; ++m) {
      std::vector<Hash> prefix(d.begin(), d.begin() + m);
      Hash first = root_hash(prefix);
      auto proof = consistency_proof(m, d);
      ASSERT_TRUE(verify_consistency(m, n, first, second, proof)) << m << " to " << n;
      EXPECT_FALSE(verify_consistency(m, n, hash_leaf("x"), second, proof)) << m << " to " << n;
      EXPECT_FALSE(verify_consistency(m, n, first, hash_leaf("x"), proof));
      if (m < n) {
        auto altered = proof;
        altered[altered.size() / 2][5] ^= 1;
        EXPECT_FALSE(verify_consistency(m, n, first, second, altered)) << m << " to " << n;
        EXPECT_FALSE(verify_consistency(m, n, first, second, {})) << m << " to " << n;
      }
    }
    // A tree whose history was rewritten (leaf 0 replaced) is not consistent with the old one.
    auto rewritten = d;
    rewritten[0] = hash_leaf("rewritten");
    rewritten.push_back(hash_leaf("appended"));
    EXPECT_FALSE(verify_consistency(n, n + 1, second, root_hash(rewritten),
                                    consistency_proof(n, rewritten)));
  }
}

TEST(MerkleTree, ProofsOutsideTheTreeAreRefused) {
  auto d = leaves(5);
  EXPECT_THROW(audit_path(5, d), std::out_of_range);
  EXPECT_THROW(consistency_proof(0, d), std::out_of_range);
  EXPECT_THROW(consistency_proof(6, d), std::out_of_range);
  EXPECT_FALSE(verify_consistency(6, 5, root_hash(d), root_hash(d), {}));
}

}  // namespace
}  // namespace xmppcert::ctlog
