#include "jose/jws.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>

#include <vector>

#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::jose {
namespace {

std::string bn_param(EVP_PKEY* key, const char* name, size_t pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (!EVP_PKEY_get_bn_param(key, name, &bn))
    throw_operation_error("read key parameter", name, openssl_error_text());
  size_t size = std::max(pad_to, static_cast<size_t>(BN_num_bytes(bn)));
  std::string bytes(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size));
  BN_free(bn);
  return bytes;
}

std::string sha256(const std::string& data) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string sign(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t size = 0;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  std::vector<unsigned char> signature(size);
  ok =
      ok && EVP_DigestSign(ctx, signature.data(), &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw_operation_error("sign", "JWS", openssl_error_text());
  signature.resize(size);
  if (!EVP_PKEY_is_a(key, "EC")) return std::string(signature.begin(), signature.end());
  // JWS wants r || s, 32 bytes each, not DER.
  const unsigned char* cursor = signature.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string flattened(const nlohmann::json& header, const std::string& payload, EVP_PKEY* key) {
  std::string protected_b64 = base64url_encode(header.dump());
  std::string payload_b64 = payload.empty() ? "" : base64url_encode(payload);
  std::string signature = sign(key, protected_b64 + "." + payload_b64);
  return nlohmann::json{{"protected", protected_b64},
                        {"payload", payload_b64},
                        {"signature", base64url_encode(signature)}}
      .dump();
}

}  // namespace

std::string jws_algorithm(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) == 256) return "ES256";
  if (EVP_PKEY_is_a(key, "RSA")) return "RS256";
  throw_operation_error("use account key", EVP_PKEY_get0_type_name(key),
                        "only EC P-256 and RSA account keys are supported");
}

nlohmann::json public_jwk(EVP_PKEY* key) {
  if (jws_algorithm(key) == "ES256")
    return {{"crv", "P-256"},
            {"kty", "EC"},
            {"x", base64url_encode(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
            {"y", base64url_encode(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
  return {{"e", base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_E))},
          {"kty", "RSA"},
          {"n", base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_N))}};
}

std::string jwk_thumbprint(EVP_PKEY* key) {
  // nlohmann's object keys are sorted and dump() has no spaces: the RFC 7638 canonical form.
  return base64url_encode(sha256(public_jwk(key).dump()));
}

std::string sign_jws(EVP_PKEY* key, const std::optional<std::string>& kid, const std::string& nonce,
                     const std::string& url, const std::string& payload) {
  nlohmann::json header{{"alg", jws_algorithm(key)}, {"nonce", nonce}, {"url", url}};
  if (kid)
    header["kid"] = *kid;
  else
    header["jwk"] = public_jwk(key);
  return flattened(header, payload, key);
}

std::string sign_key_change(EVP_PKEY* new_key, const std::string& url, const std::string& payload) {
  return flattened({{"alg", jws_algorithm(new_key)}, {"jwk", public_jwk(new_key)}, {"url", url}},
                   payload, new_key);
}

nlohmann::json external_account_binding(EVP_PKEY* account_key, const std::string& eab_kid,
                                        const std::string& hmac_key_b64url,
                                        const std::string& url) {
  std::string mac_key = base64url_decode(hmac_key_b64url, "EAB HMAC key");
  std::string protected_b64 =
      base64url_encode(nlohmann::json{{"alg", "HS256"}, {"kid", eab_kid}, {"url", url}}.dump());
  std::string payload_b64 = base64url_encode(public_jwk(account_key).dump());
  std::string input = protected_b64 + "." + payload_b64;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), mac_key.data(), static_cast<int>(mac_key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return {{"protected", protected_b64},
          {"payload", payload_b64},
          {"signature", base64url_encode(std::string(reinterpret_cast<char*>(mac), length))}};
}

}  // namespace xmppcert::jose
