#include "engine/keys.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <array>
#include <utility>

#include "engine/errors.h"

namespace xmppcert {
namespace {

constexpr std::array<std::pair<KeyType, std::string_view>, 5> kKeyTypeNames{{
    {KeyType::kEcP256, "ec-p256"},
    {KeyType::kEcP384, "ec-p384"},
    {KeyType::kRsa2048, "rsa-2048"},
    {KeyType::kRsa3072, "rsa-3072"},
    {KeyType::kRsa4096, "rsa-4096"},
}};

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

KeyType parse_key_type(std::string_view text) {
  for (const auto& [type, name] : kKeyTypeNames)
    if (name == text) return type;
  throw UsageError("unknown key type \"" + std::string(text) +
                   "\" (expected ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096)");
}

std::string key_type_name(KeyType type) {
  for (const auto& [known, name] : kKeyTypeNames)
    if (known == type) return std::string(name);
  return "unknown";
}

PKeyPtr generate_private_key(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::kEcP256:
      key = EVP_EC_gen("P-256");
      break;
    case KeyType::kEcP384:
      key = EVP_EC_gen("P-384");
      break;
    case KeyType::kRsa2048:
      key = EVP_RSA_gen(2048);
      break;
    case KeyType::kRsa3072:
      key = EVP_RSA_gen(3072);
      break;
    case KeyType::kRsa4096:
      key = EVP_RSA_gen(4096);
      break;
  }
  if (!key) throw_operation_error("generate key", key_type_name(type), openssl_error_text());
  return PKeyPtr(key);
}

std::string private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
    throw_operation_error("encode", "private key", openssl_error_text());
  return bio_contents(bio.get());
}

PKeyPtr load_private_key(std::string_view pem, std::string_view origin) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!key) throw_operation_error("read private key", origin, openssl_error_text());
  return PKeyPtr(key);
}

KeyType key_type_of(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "EC")) {
    if (bits == 256) return KeyType::kEcP256;
    if (bits == 384) return KeyType::kEcP384;
  } else if (EVP_PKEY_is_a(key, "RSA")) {
    if (bits == 2048) return KeyType::kRsa2048;
    if (bits == 3072) return KeyType::kRsa3072;
    if (bits == 4096) return KeyType::kRsa4096;
  }
  throw_operation_error("classify key", EVP_PKEY_get0_type_name(key),
                        "unsupported type or size (" + std::to_string(bits) + " bits)");
}

}  // namespace xmppcert
