#include "plugins/issuers/acme/revocation.h"

#include "engine/encoding.h"

namespace xmppcert::acme {

void revoke_certificate(Transport& transport, const Account& account, X509* certificate,
                        EVP_PKEY* certificate_key, int reason) {
  unsigned char* der = nullptr;
  int length = i2d_X509(certificate, &der);
  std::string der_text(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  nlohmann::json payload{{"certificate", base64url_encode(der_text)}, {"reason", reason}};
  std::string url = transport.endpoint("revokeCert");
  if (!certificate_key) {
    transport.post(url, payload);
    return;
  }
  transport.set_account(certificate_key, std::nullopt);
  try {
    transport.post(url, payload, /*with_jwk=*/true);
  } catch (...) {
    transport.set_account(account.key.get(), account.url);
    throw;
  }
  transport.set_account(account.key.get(), account.url);
}

}  // namespace xmppcert::acme
