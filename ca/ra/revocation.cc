// Revocation (RFC 8555 §7.6): by the account that holds the certificate (kid) or by the
// certificate's own key (jwk). Recorded, audited, and the CRL rebuilt before the answer.
#include <openssl/x509.h>

#include "ca/ra/acme_service.h"
#include "ca/crl.h"
#include "ca/wfe/json_limits.h"
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
  std::time_t now = this->now();
  storage_.transaction([&] {  // revoked once, also when two requests for it arrive at once
    if (storage_.certificate(serial)->revoked_at != 0)
      throw AcmeProblem("alreadyRevoked", "certificate " + serial + " is already revoked");
    storage_.revoke_certificate(serial, static_cast<int>(reason), now);
  });
  refresh_crl_if_due(true);
  metrics_.count_revoked();
  log_line("xmppcert-ca", "audit: revoked serial " + serial + " (reason " + std::to_string(reason) +
                              ") by " +
                              (post.account ? "account " + std::to_string(post.account->id)
                                            : std::string("the certificate key")));
  return WebResponse{200, "application/json", "", {}};
}

namespace {
// Every instance on the database competes for this lock; its holder signs the next CRL.
constexpr const char* kCrlSignerLock = "crl-signer";

// A CRL is signed again when a revocation is missing from it or it is a day old, so that what
// relying parties fetch is always days from its nextUpdate (kCrlNextUpdate), however long the
// CA goes without a revocation.
bool crl_due(const std::optional<CrlRecord>& crl, long long revoked, std::time_t now) {
  return !crl || crl->revoked_count != revoked || now - crl->this_update >= kCrlRefreshAfter;
}
}  // namespace

bool AcmeService::refresh_crl_if_due(bool wait) {
  std::lock_guard guard(crl_mutex_);
  if (!crl_due(storage_.latest_crl(), storage_.revoked_certificates().size(), now()))
    return false;
  bool signed_one = false;
  storage_.run_exclusively(kCrlSignerLock, wait, [&] {
    // Read again under the lock: the instance that held it may have signed one just now.
    storage_.transaction([&] {
      signed_one = false;
      auto latest = storage_.latest_crl();
      auto revoked = storage_.revoked_certificates();
      std::time_t now = this->now();
      if (!crl_due(latest, static_cast<long long>(revoked.size()), now)) return;
      // The first stored CRL is numbered by the time, above those the CA numbered so before.
      CrlRecord next{latest ? latest->number + 1 : static_cast<long long>(now), now,
                     static_cast<long long>(revoked.size()), ""};
      next.der = build_crl(ca_, revoked, next.number, now);
      storage_.store_crl(next);
      signed_one = true;
    });
  });
  return signed_one;
}

WebResponse AcmeService::crl() {
  // Revoked by another instance or by `xmppcert-ca revoke`: the count differs and the CRL is
  // signed again (by this instance or the one holding the signer's lock).
  refresh_crl_if_due(false);
  auto stored = storage_.latest_crl();
  if (!stored) {  // the very first one is being signed by another instance: wait for it
    refresh_crl_if_due(true);
    stored = storage_.latest_crl();
  }
  if (!stored) throw StorageUnavailable("no CRL has been signed yet");
  WebResponse response;
  response.content_type = "application/pkix-crl";
  response.body = stored->der;
  return response;
}

}  // namespace xmppcert::ca
