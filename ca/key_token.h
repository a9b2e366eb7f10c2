// The CA's keys in a PKCS#11 token (an HSM, a smart card, SoftHSM2), used through libp11.
// `init --pkcs11-module SO --pkcs11-token LABEL --pkcs11-pin-file FILE` makes them inside
// the token (token_keygen.h), where they stay: every signature (certificates, the CRL, tree
// heads, TLS handshakes) is the token's, and the process holds handles, not keys. The state
// dir's ca.json names the token:
//   "pkcs11": {"module": "/usr/lib/softhsm/libsofthsm2.so", "token": "ca", "pin_file": FILE}
// read strictly (unknown keys refused); the PIN comes from the file (secret_file.h), never
// from argv, and is never logged.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/openssl_ptr.h"

struct PKCS11_ctx_st;
struct PKCS11_slot_st;

namespace xmppcert::ca {

struct TokenSettings {
  std::string module;    // the PKCS#11 module (.so)
  std::string token;     // the token's label
  std::string pin_file;  // the user PIN
};

// `section` is ca.json's "pkcs11" object; `where` names it in errors.
TokenSettings read_token_settings(const nlohmann::json& section, const std::string& where);
nlohmann::json token_settings_json(const TokenSettings& settings);
std::string read_token_pin(const TokenSettings& settings);

// The labels of the CA's keys in its token.
inline constexpr char kRootKeyLabel[] = "xmppcert root";
inline constexpr char kIntermediateKeyLabel[] = "xmppcert intermediate";
inline constexpr char kLogKeyLabel[] = "xmppcert transparency log";
inline constexpr char kHttpsKeyLabel[] = "xmppcert https";

class KeyToken {
 public:
  // Loads the module, finds the token by its label and logs in with the PIN.
  explicit KeyToken(TokenSettings settings);
  ~KeyToken();
  KeyToken(const KeyToken&) = delete;
  KeyToken& operator=(const KeyToken&) = delete;

  // A handle on the private key labelled `label` (signing goes to the token; the public half
  // is readable). OperationError when the token holds none, or more than one.
  PKeyPtr private_key(const std::string& label);
  // "token \"LABEL\" (module SO)", for messages.
  std::string name() const;

 private:
  void close();

  TokenSettings settings_;
  PKCS11_ctx_st* context_ = nullptr;
  PKCS11_slot_st* slots_ = nullptr;
  unsigned int slot_count_ = 0;
  PKCS11_slot_st* slot_ = nullptr;
};

}  // namespace xmppcert::ca
