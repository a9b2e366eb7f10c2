#include "ca/log/log_key.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/log.h"

namespace xmppcert::ctlog {

std::filesystem::path log_key_path(const std::filesystem::path& dir) { return dir / "log.key"; }

LogKey load_or_create_log_key(const std::filesystem::path& dir, bool announce) {
  auto path = log_key_path(dir);
  if (::access(path.c_str(), F_OK) != 0) {
    PKeyPtr fresh = generate_private_key(KeyType::kEcP256);
    write_file_atomically(path, private_key_pem(fresh.get()), with_mode(kPrivateKeyMode));
    if (announce)
      log_line("xmppcert-ca", "created the transparency log's signing key " + path.string() +
                                  " (this state dir had none)");
  }
  return log_key_of(load_private_key(read_file(path), path.string()), path.string());
}

LogKey log_key_of(PKeyPtr key, const std::string& what) {
  LogKey out;
  out.key = std::move(key);
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(out.key.get(), &der);
  if (length <= 0) throw_operation_error("encode the public key of", what, openssl_error_text());
  out.spki_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  EVP_Digest(out.spki_der.data(), out.spki_der.size(), out.log_id.data(), nullptr, EVP_sha256(),
             nullptr);
  return out;
}

std::string sign_sha256(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t length = 0;
  std::string signature;
  bool ok = context && EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(context, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(context);
  if (!ok) throw_operation_error("sign", "a tree head", openssl_error_text());
  return signature;
}

}  // namespace xmppcert::ctlog
