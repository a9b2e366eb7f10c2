// Makes the CA's key pairs inside its PKCS#11 token (C_GenerateKeyPair, CKM_EC_KEY_PAIR_GEN):
// the private halves CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true, CKA_EXTRACTABLE false and
// CKA_SIGN only, so they never leave the token. libp11 0.4.12 (Debian 12) generates RSA keys
// only and leaves CKA_EXTRACTABLE to the token's default, so this one call goes through
// p11-kit's module loader and the standard PKCS#11 header; everything else (login, finding a
// key, signing) is libp11's (key_token.h).
#pragma once

#include <string>
#include <vector>

#include "ca/key_token.h"

namespace xmppcert::ca {

struct TokenKeySpec {
  std::string label;
  int curve_nid;  // NID_X9_62_prime256v1, NID_secp384r1
};

// Refuses (UsageError) when the token already holds a key with one of the labels: a CA's keys
// are never replaced. Generates nothing unless every label is free.
void generate_token_keys(const TokenSettings& settings, const std::vector<TokenKeySpec>& keys);

}  // namespace xmppcert::ca
