#include "engine/csr.h"

#include <openssl/pem.h>

#include "engine/errors.h"
#include "engine/san.h"

namespace xmppcert {

X509ReqPtr build_csr(EVP_PKEY* key, const XmppIdentities& ids) {
  if (ids.dns_ids.empty() && ids.xmpp_addrs.empty())
    throw_operation_error("build CSR", "", "no DNS-ID or XmppAddr to request");
  X509ReqPtr csr(X509_REQ_new());
  X509_REQ_set_version(csr.get(), 0);
  X509_NAME* subject = X509_REQ_get_subject_name(csr.get());
  const std::string& cn = ids.dns_ids.empty() ? ids.xmpp_addrs.front() : ids.dns_ids.front();
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(csr.get(), key);

  GeneralNamesPtr names = encode_subject_alt_names(ids);
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  X509_EXTENSION* san = X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get());
  sk_X509_EXTENSION_push(extensions, san);
  int added = X509_REQ_add_extensions(csr.get(), extensions);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  if (!added) throw_operation_error("build CSR for", cn, openssl_error_text());
  if (!X509_REQ_sign(csr.get(), key, EVP_sha256()))
    throw_operation_error("sign CSR for", cn, openssl_error_text());
  return csr;
}

std::string csr_pem(X509_REQ* csr) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), csr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string csr_der(X509_REQ* csr) {
  unsigned char* der = nullptr;
  int size = i2d_X509_REQ(csr, &der);
  if (size < 0) throw_operation_error("encode", "CSR", openssl_error_text());
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

X509ReqPtr parse_csr_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509_REQ* csr = PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr);
  if (!csr) throw_operation_error("read", "CSR", openssl_error_text());
  return X509ReqPtr(csr);
}

}  // namespace xmppcert
