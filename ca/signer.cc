#include "ca/signer.h"

#include <algorithm>

#include "engine/certificate.h"
#include "engine/errors.h"
#include "engine/san.h"
#include "engine/x509_build.h"

namespace xmppcert::ca {

std::string serial_hex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  std::transform(out.begin(), out.end(), out.begin(), ::tolower);
  return out;
}

SignedCertificate Signer::sign(EVP_PKEY* subject_key, const XmppIdentities& ids,
                               std::chrono::seconds lifetime) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  if (!ids.dns_ids.empty())
    add_name_entry(X509_get_subject_name(cert.get()), "CN", ids.dns_ids.front());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_.cert.get()));
  // Backdated for clock skew, by at most a tenth of a short lifetime.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                  -std::min<long>(60, static_cast<long>(lifetime.count()) / 10));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(lifetime.count()));
  X509_set_pubkey(cert.get(), subject_key);
  add_extension(cert.get(), ca_.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_.cert.get(), NID_key_usage,
                EVP_PKEY_is_a(subject_key, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                                  : "critical,digitalSignature");
  add_extension(cert.get(), ca_.cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(cert.get(), ca_.cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca_.cert.get(), NID_authority_key_identifier, "keyid:always");
  if (!crl_url_.empty()) {
    std::string dp = "URI:" + crl_url_;
    add_extension(cert.get(), ca_.cert.get(), NID_crl_distribution_points, dp.c_str());
  }
  GeneralNamesPtr names = encode_subject_alt_names(ids);
  // A certificate without subject names is critical-SAN only (RFC 5280 §4.2.1.6).
  if (!X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), ids.dns_ids.empty(),
                         X509V3_ADD_DEFAULT))
    throw_operation_error("add", "subjectAltName", openssl_error_text());
  if (!X509_sign(cert.get(), ca_.key.get(), EVP_sha256()))
    throw_operation_error("sign certificate for", ids.dns_ids.empty() ? "?" : ids.dns_ids[0],
                          openssl_error_text());
  SignedCertificate out;
  out.serial_hex = serial_hex(cert.get());
  out.leaf_pem = certificate_pem(cert.get());
  out.not_after = inspect_certificate(cert.get()).not_after;
  return out;
}

}  // namespace xmppcert::ca
