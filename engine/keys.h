// Private keys through OpenSSL 3 EVP: generation, PEM in and out, and the type of a key.
#pragma once

#include <string>
#include <string_view>

#include "engine/openssl_ptr.h"

namespace xmppcert {

enum class KeyType { kEcP256, kEcP384, kRsa2048, kRsa3072, kRsa4096 };

inline constexpr KeyType kDefaultKeyType = KeyType::kEcP256;

// "ec-p256" | "ec-p384" | "rsa-2048" | "rsa-3072" | "rsa-4096"; UsageError otherwise.
KeyType parse_key_type(std::string_view text);
std::string key_type_name(KeyType type);

PKeyPtr generate_private_key(KeyType type);

// PKCS#8 PEM, unencrypted: the form every XMPP server reads. Never log the result.
std::string private_key_pem(EVP_PKEY* key);

// `origin` names the file for the error message.
PKeyPtr load_private_key(std::string_view pem, std::string_view origin);

// Throws OperationError for key kinds the engine does not issue for.
KeyType key_type_of(EVP_PKEY* key);

}  // namespace xmppcert
