// Revocation (RFC 8555 §7.6): by the account that holds the certificate (kid) or by the
// certificate's own key (jwk). Recorded, audited, and the CRL rebuilt before the answer.
#include <openssl/x509.h>

#include "ca/acme_service.h"
#include "ca/crl.h"
#include "ca/json_limits.h"
#include "ca/problem.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/log.h"

namespace xmppcert::ca {

WebResponse AcmeService::revoke_cert(const VerifiedPost& post) {
  nlohmann::json payload = post.json();
  std::string der, b64 = string_member(payload, "certificate", "revokeCert").value_or("");
  try {
    der = base64url_decode(b64, "certificate");
  } catch (const std::exception&) {
    throw AcmeProblem("malformed", "certificate is not base64url");
  }
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert) throw AcmeProblem("malformed", "certificate is not DER X.509");
  long long reason = integer_member(payload, "reason", "revokeCert").value_or(0);
  // RFC 5280 reason codes a subscriber may give (no cACompromise, no unused 7, no 8 / 10).
  if (reason < 0 || reason == 2 || (reason > 5 && reason != 9))
    throw AcmeProblem("badRevocationReason",
                      "reason " + std::to_string(reason) + " is not allowed");
  std::string serial = serial_hex(cert.get());
  auto record = storage_.certificate(serial);
  if (!record || certificate_pem(cert.get()) != record->leaf_pem)
    throw AcmeProblem("malformed", "this CA did not issue that certificate", 404);
  if (post.account) {
    if (post.account->id != record->account)
      throw AcmeProblem("unauthorized", "the certificate belongs to another account", 403);
  } else if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), post.key.get()) != 1) {
    throw AcmeProblem("unauthorized", "the JWS key is not the certificate's key", 403);
  }
  std::lock_guard guard(state_mutex_);
  if (storage_.certificate(serial)->revoked_at != 0)
    throw AcmeProblem("alreadyRevoked", "certificate " + serial + " is already revoked");
  std::time_t now = std::time(nullptr);
  storage_.revoke_certificate(serial, static_cast<int>(reason), now);
  refresh_crl();
  metrics_.count_revoked();
  log_line("xmppcert-ca", "audit: revoked serial " + serial + " (reason " + std::to_string(reason) +
                              ") by " +
                              (post.account ? "account " + std::to_string(post.account->id)
                                            : std::string("the certificate key")));
  return WebResponse{200, "application/json", "", {}};
}

void AcmeService::refresh_crl() {
  auto revoked = storage_.revoked_certificates();
  std::lock_guard guard(crl_mutex_);
  crl_der_ = build_crl(ca_, revoked, ++crl_number_, std::time(nullptr));
  crl_revoked_count_ = revoked.size();
}

WebResponse AcmeService::crl() {
  // Revoked by another instance or by `xmppcert-ca revoke`: revocations are only ever added,
  // so a different count means a CRL to rebuild.
  auto revoked = storage_.revoked_certificates();
  std::lock_guard guard(crl_mutex_);
  if (revoked.size() != crl_revoked_count_) {
    crl_der_ = build_crl(ca_, revoked, ++crl_number_, std::time(nullptr));
    crl_revoked_count_ = revoked.size();
  }
  WebResponse response;
  response.content_type = "application/pkix-crl";
  response.body = crl_der_;
  return response;
}

}  // namespace xmppcert::ca
