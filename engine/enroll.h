// One certificate end to end: key, CSR with the XMPP identities, issuer, checks, store,
// install, reload. A failure at any step leaves the previous version current and, when the
// install or reload failed, re-installed and reloaded.
#pragma once

#include <ctime>

#include "engine/issuer.h"
#include "engine/server_plugin.h"
#include "engine/store.h"

namespace xmppcert {

inline constexpr int kVersionsKept = 5;

// Throws OperationError on failure, after recording the attempt in the store.
CertificateRecord enroll_certificate(const Store& store, const CertificateRequest& request,
                                     Issuer& issuer, ServerPlugin* plugin, std::time_t now);

}  // namespace xmppcert
