#include "ca/crl.h"

#include <openssl/x509v3.h>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

template <typename T, void (*Free)(T*)>
struct Owned {
  T* p;
  ~Owned() { Free(p); }
};

}  // namespace

std::string build_crl(IssuingCa& ca, const std::vector<IssuedLeaf>& revoked,
                      long long number, std::time_t now) {
  X509_CRL* crl = X509_CRL_new();
  Owned<X509_CRL, X509_CRL_free> owned{crl};
  X509_CRL_set_version(crl, 1);  // v2
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.cert.get()));
  Owned<ASN1_TIME, ASN1_TIME_free> last{ASN1_TIME_set(nullptr, now)};
  Owned<ASN1_TIME, ASN1_TIME_free> next{ASN1_TIME_set(nullptr, now + kCrlNextUpdate)};
  X509_CRL_set1_lastUpdate(crl, last.p);
  X509_CRL_set1_nextUpdate(crl, next.p);
  for (const auto& record : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    BIGNUM* bn = nullptr;
    BN_hex2bn(&bn, record.serial.c_str());
    ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
    BN_free(bn);
    X509_REVOKED_set_serialNumber(entry, serial);
    ASN1_INTEGER_free(serial);
    Owned<ASN1_TIME, ASN1_TIME_free> when{ASN1_TIME_set(nullptr, record.revoked_at)};
    X509_REVOKED_set_revocationDate(entry, when.p);
    if (record.reason != 0) {
      ASN1_ENUMERATED* reason = ASN1_ENUMERATED_new();
      ASN1_ENUMERATED_set(reason, record.reason);
      X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, reason, 0, 0);
      ASN1_ENUMERATED_free(reason);
    }
    X509_CRL_add0_revoked(crl, entry);
  }
  X509_CRL_sort(crl);
  ASN1_INTEGER* crl_number = ASN1_INTEGER_new();
  ASN1_INTEGER_set_int64(crl_number, number);
  X509_CRL_add1_ext_i2d(crl, NID_crl_number, crl_number, 0, 0);
  ASN1_INTEGER_free(crl_number);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca.cert.get(), nullptr, nullptr, crl, 0);
  X509_EXTENSION* aki =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
  if (aki) X509_CRL_add_ext(crl, aki, -1);
  X509_EXTENSION_free(aki);
  if (!X509_CRL_sign(crl, ca.key.get(), EVP_sha256()))
    throw_operation_error("sign", "CRL", openssl_error_text());
  unsigned char* der = nullptr;
  int length = i2d_X509_CRL(crl, &der);
  std::string out(reinterpret_cast<char*>(der), length > 0 ? length : 0);
  OPENSSL_free(der);
  return out;
}

}  // namespace xmppcert::ca
