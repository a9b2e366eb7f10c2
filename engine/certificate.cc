#include "engine/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/san.h"

namespace xmppcert {
namespace {

std::time_t to_time_t(const ASN1_TIME* time) {
  struct tm parts {};
  ASN1_TIME_to_tm(time, &parts);
  return timegm(&parts);
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

std::vector<X509Ptr> parse_certificate_chain(const std::string& pem, std::string_view origin) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<X509Ptr> chain;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    chain.emplace_back(cert);
  ERR_clear_error();  // the read that ends the loop reports "no start line"
  if (chain.empty()) throw_operation_error("read certificate", origin, "no PEM certificate found");
  return chain;
}

X509Ptr parse_certificate(const std::string& pem, std::string_view origin) {
  return std::move(parse_certificate_chain(pem, origin).front());
}

std::string certificate_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string sha256_digest(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string sha256_fingerprint(X509* cert) { return hex_encode(sha256_digest(cert), true, ":"); }

CertificateInfo inspect_certificate(X509* cert) {
  CertificateInfo info;
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* serial_hex = BN_bn2hex(serial);
  info.serial_hex = serial_hex;
  OPENSSL_free(serial_hex);
  BN_free(serial);
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  info.not_before = to_time_t(X509_get0_notBefore(cert));
  info.not_after = to_time_t(X509_get0_notAfter(cert));
  info.sha256_fingerprint = sha256_fingerprint(cert);
  info.identities = identities_in_certificate(cert);
  uint32_t eku = X509_get_extended_key_usage(cert);  // all bits set when there is no EKU
  info.server_auth = eku & XKU_SSL_SERVER;
  info.client_auth = eku & XKU_SSL_CLIENT;
  return info;
}

bool certificate_matches_key(X509* cert, EVP_PKEY* key) {
  bool match = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  return match;
}

}  // namespace xmppcert
