// A certificate the issuer gave whose install (or reload, or served check) then failed: its
// version folder stays, and the record names it. The next try installs that version instead
// of ordering again: against a public CA each order counts against rate limits, and a server
// that was down for an hour would otherwise cost one issuance per retry.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"
#include "engine/store.h"

namespace xmppcert {

struct ReusableVersion {
  StoredVersion version;
  X509Ptr leaf;
  PKeyPtr key;
  IssuedNotInstalled issued;
};

// The version `previous` records as issued but not installed, when it may be installed now in
// place of a new order: issued by the request's issuer with the same settings, for a key of the
// requested type (`chosen_key` itself when the DANE rollover chose one), covering every wanted
// DNS-ID, and not yet due for renewal itself. Otherwise nullopt, with the reason logged.
std::optional<ReusableVersion> reusable_issued_version(const Store& store,
                                                       const CertificateRecord& previous,
                                                       const CertificateRequest& request,
                                                       const XmppIdentities& wanted,
                                                       EVP_PKEY* chosen_key, std::time_t now);

}  // namespace xmppcert
