#include "ca/wfe/jws_verify.h"

#include <memory>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include "ca/wfe/json_limits.h"
#include "ca/problem.h"
#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

std::string decode(const nlohmann::json& value, const char* what) {
  if (!value.is_string()) throw AcmeProblem("malformed", std::string("JWS ") + what + " missing");
  try {
    return base64url_decode(value.get<std::string>(), what);
  } catch (const std::exception&) {
    throw AcmeProblem("malformed", std::string("JWS ") + what + " is not base64url");
  }
}

// Owned, so that a member of the wrong type (AcmeProblem) leaks neither (found by fuzz_ca_jws).
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

BigNum bignum(const nlohmann::json& jwk, const char* member) {
  std::string bytes = decode(jwk.value(member, nlohmann::json()), member);
  return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr),
                BN_free);
}

PKeyPtr build_key(const char* type, OSSL_PARAM_BLD* builder) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = ctx && params && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) throw AcmeProblem("badPublicKey", "JWK does not hold a usable public key");
  return PKeyPtr(key);
}

// JWS ECDSA signatures are r || s; OpenSSL verifies DER.
std::string ecdsa_raw_to_der(const std::string& raw) {
  if (raw.size() != 64) throw AcmeProblem("malformed", "JWS signature has the wrong length");
  auto* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  auto* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  std::string out(reinterpret_cast<char*>(der), length > 0 ? length : 0);
  OPENSSL_free(der);
  return out;
}

}  // namespace

ParsedJws parse_flattened_jws(const std::string& body) {
  return parse_flattened_jws(parse_untrusted_json(body, "request body"));
}

ParsedJws parse_flattened_jws(const nlohmann::json& outer) {
  if (!outer.is_object() || !outer.contains("protected") || !outer.contains("payload") ||
      !outer.contains("signature"))
    throw AcmeProblem("malformed", "request body is not a flattened JWS");
  ParsedJws jws;
  std::string header_text = decode(outer["protected"], "protected header");
  jws.header = parse_untrusted_json(header_text, "JWS protected header");
  if (!jws.header.is_object()) throw AcmeProblem("malformed", "JWS protected header is not JSON");
  if (!outer["payload"].is_string()) throw AcmeProblem("malformed", "JWS payload missing");
  const std::string& payload_b64 = outer["payload"].get_ref<const std::string&>();
  jws.payload = payload_b64.empty() ? "" : decode(outer["payload"], "payload");
  jws.signature = decode(outer["signature"], "signature");
  jws.signing_input = outer["protected"].get<std::string>() + "." + payload_b64;
  return jws;
}

PKeyPtr key_from_jwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) throw AcmeProblem("badPublicKey", "JWK is not an object");
  std::string kty = string_member(jwk, "kty", "JWK").value_or("");
  ParamBuilder builder(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (kty == "EC") {
    if (string_member(jwk, "crv", "JWK").value_or("") != "P-256")
      throw AcmeProblem("badPublicKey", "only EC keys on P-256 are accepted");
    std::string x = decode(jwk.value("x", nlohmann::json()), "JWK x");
    std::string y = decode(jwk.value("y", nlohmann::json()), "JWK y");
    if (x.size() != 32 || y.size() != 32)
      throw AcmeProblem("badPublicKey", "EC JWK coordinates are not 32 bytes");
    std::string point = "\x04" + x + y;
    OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
    return build_key("EC", builder.get());
  }
  if (kty == "RSA") {
    BigNum n = bignum(jwk, "n");
    BigNum e = bignum(jwk, "e");
    OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    PKeyPtr key = build_key("RSA", builder.get());
    if (EVP_PKEY_get_bits(key.get()) < 2048)
      throw AcmeProblem("badPublicKey", "RSA keys shorter than 2048 bits are refused");
    return key;
  }
  throw AcmeProblem("badPublicKey", "JWK kty \"" + kty + "\" is not EC or RSA");
}

void verify_jws_signature(const ParsedJws& jws, EVP_PKEY* key) {
  std::string alg = string_member(jws.header, "alg", "JWS header").value_or("");
  bool ec = EVP_PKEY_is_a(key, "EC");
  if (alg != "ES256" && alg != "RS256")
    throw AcmeProblem("badSignatureAlgorithm", "JWS alg \"" + alg + "\" is not ES256 or RS256");
  if ((alg == "ES256") != ec)
    throw AcmeProblem("badSignatureAlgorithm", "JWS alg " + alg + " does not fit the key");
  std::string signature = ec ? ecdsa_raw_to_der(jws.signature) : jws.signature;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(jws.signing_input.data()),
                             jws.signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  openssl_error_text();  // drain the queue
  if (!ok) throw AcmeProblem("malformed", "JWS signature invalid");
}

bool verify_hs256(const ParsedJws& jws, const std::string& mac_key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), mac_key.data(), static_cast<int>(mac_key.size()),
       reinterpret_cast<const unsigned char*>(jws.signing_input.data()), jws.signing_input.size(),
       mac, &length);
  return length == jws.signature.size() && CRYPTO_memcmp(mac, jws.signature.data(), length) == 0;
}

}  // namespace xmppcert::ca
