#include "tests/ca/log_support.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ct/ct_codec.h"

namespace xmppcert::testing {

ctlog::Hash hash_from(const nlohmann::json& text) {
  auto raw = ctlog::base64_decode(text.get<std::string>());
  ctlog::Hash out{};
  if (raw && raw->size() == out.size()) std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

bool tree_head_signature_verifies(const nlohmann::json& list, const nlohmann::json& sth) {
  std::string spki =
      ctlog::base64_decode(list["operators"][0]["logs"][0]["key"].get<std::string>()).value();
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(spki.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(spki.size()));
  std::string signed_struct =
      ctlog::base64_decode(sth["tree_head_signature"].get<std::string>()).value();
  if (!key || signed_struct.size() < 4 || signed_struct[0] != 4 || signed_struct[1] != 3) {
    EVP_PKEY_free(key);
    return false;
  }
  std::string signature = signed_struct.substr(4);
  std::string input = ctlog::tree_head_signature_input(sth["timestamp"].get<uint64_t>(),
                                                       sth["tree_size"].get<uint64_t>(),
                                                       hash_from(sth["sha256_root_hash"]));
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace xmppcert::testing
