#include "plugins/issuers/acme/tls_alpn_responder.h"

#include "engine/errors.h"
#include "engine/keys.h"
#include "engine/san.h"

namespace xmppcert::acme {
namespace {

constexpr unsigned char kAcmeTls1[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'};

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kAcmeTls1, sizeof kAcmeTls1, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // only validation connections are answered
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int select_by_sni(SSL* ssl, int*, void* responder) {
  return static_cast<TlsAlpnResponder*>(responder)->select_certificate(ssl)
             ? SSL_TLSEXT_ERR_OK
             : SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace

TlsAlpnResponder::TlsAlpnResponder(const std::string& address, int port) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(ctx_, select_alpn, nullptr);
  SSL_CTX_set_tlsext_servername_callback(ctx_, select_by_sni);
  SSL_CTX_set_tlsext_servername_arg(ctx_, this);
  try {
    listener_ = std::make_unique<ChallengeListener>("tls-alpn-01", address, port,
                                                    [this](int client) { handshake(client); });
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

TlsAlpnResponder::~TlsAlpnResponder() {
  listener_.reset();  // no handshake may use the context once it is freed
  SSL_CTX_free(ctx_);
}

bool TlsAlpnResponder::select_certificate(SSL* ssl) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!name) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = credentials_.find(name);
  if (it == credentials_.end()) return false;
  return SSL_use_certificate(ssl, it->second.certificate.get()) == 1 &&
         SSL_use_PrivateKey(ssl, it->second.key.get()) == 1;
}

void TlsAlpnResponder::handshake(int client) {
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, client);
  if (SSL_accept(ssl) == 1) SSL_shutdown(ssl);  // the handshake is the whole answer
  SSL_free(ssl);
}

void TlsAlpnResponder::present(const std::string& domain, const std::string&,
                               const std::string& key_authorization) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(domain.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 86400);
  X509_set_pubkey(cert.get(), key.get());
  GeneralNamesPtr names = encode_subject_alt_names({{domain}, {}, {}});
  X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, 0);
  // acmeIdentifier: extnValue holds the DER of an OCTET STRING with the 32-byte digest.
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(key_authorization.data(), key_authorization.size(), digest, &length, EVP_sha256(),
             nullptr);
  unsigned char der[34] = {0x04, 0x20};
  std::copy(digest, digest + 32, der + 2);
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(value, der, sizeof der);
  Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value);
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(value);
  if (!X509_sign(cert.get(), key.get(), EVP_sha256()))
    throw_operation_error("sign tls-alpn-01 certificate for", domain, openssl_error_text());
  std::lock_guard<std::mutex> lock(mutex_);
  credentials_[domain] = Credential{std::move(cert), std::move(key)};
}

void TlsAlpnResponder::cleanup(const std::string& domain, const std::string&, const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  credentials_.erase(domain);
}

}  // namespace xmppcert::acme
