// Revocation (RFC 8555 §7.6): signed by the account, or by the certificate's own key (with
// its JWK), which works without the account that ordered it.
#pragma once

#include "plugins/issuers/acme/account.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

// `certificate_key` may be null: then the account signs. `transport` signs as `account`
// again afterwards, whatever the outcome.
void revoke_certificate(Transport& transport, const Account& account, X509* certificate,
                        EVP_PKEY* certificate_key, int reason);

}  // namespace xmppcert::acme
