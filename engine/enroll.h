// One certificate end to end: key, CSR with the XMPP identities, issuer, checks, store,
// install, reload. A failure at any step leaves the previous version current and, when the
// install or reload failed, re-installed and reloaded.
#pragma once

#include <ctime>
#include <optional>

#include "engine/issuer.h"
#include "engine/server_plugin.h"
#include "engine/store.h"

namespace xmppcert {

inline constexpr int kVersionsKept = 5;

// What the caller already knows about the certificate: nothing is validated or read again.
struct Enrollment {
  const CertificateRequest& request;
  const XmppIdentities& identities;                  // identities_of(request)
  const std::optional<CertificateRecord>& previous;  // the record as stored now
  EVP_PKEY* key = nullptr;  // the key to certify, when the DANE rollover chose it (dane_plan.h)
};

// Throws OperationError on failure, after recording the attempt in the store.
CertificateRecord enroll_certificate(const Store& store, const Enrollment& enrollment,
                                     Issuer& issuer, ServerPlugin* plugin, std::time_t now);

// The same, validating the request and reading its record first; `key` as in Enrollment.
CertificateRecord enroll_certificate(const Store& store, const CertificateRequest& request,
                                     Issuer& issuer, ServerPlugin* plugin, std::time_t now,
                                     EVP_PKEY* key = nullptr);

// Installs the stored current version through `plugin`, reloads and verifies it, and stores
// `request` as the record's request: a certificate that is not due but whose install target
// changed (`enroll --server` after an enroll without one). On failure the replaced files
// come back and OperationError is thrown after recording the attempt.
CertificateRecord install_current_version(const Store& store, CertificateRecord record,
                                          const CertificateRequest& request, ServerPlugin& plugin,
                                          std::time_t now);

}  // namespace xmppcert
