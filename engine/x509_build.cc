#include "engine/x509_build.h"

#include <openssl/rand.h>

#include "engine/errors.h"

namespace xmppcert {

void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw_operation_error("generate", "serial number", openssl_error_text());
  bytes[0] &= 0x7f;  // positive as DER INTEGER without a padding byte
  BIGNUM* serial = BN_bin2bn(bytes, sizeof bytes, nullptr);
  if (BN_is_zero(serial)) BN_one(serial);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert));
  BN_free(serial);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext || !X509_add_ext(cert, ext, -1)) {
    X509_EXTENSION_free(ext);
    throw_operation_error("add extension", OBJ_nid2sn(nid), openssl_error_text());
  }
  X509_EXTENSION_free(ext);
}

void add_name_entry(X509_NAME* name, const char* key, const std::string& value) {
  if (!X509_NAME_add_entry_by_txt(name, key, MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0))
    throw_operation_error("add name entry", key, openssl_error_text());
}

}  // namespace xmppcert
