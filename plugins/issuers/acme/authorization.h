// ACME authorizations and challenges (RFC 8555 §7.5): for each authorization of an order
// that is not valid yet, present the solver's challenge, tell the CA, wait for the verdict,
// and clean up whatever the outcome.
#pragma once

#include <string>

#include "plugins/issuers/acme/challenges.h"
#include "plugins/issuers/acme/order.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

// OperationError naming the domain when the CA offers no challenge of the solver's type or
// the authorization ends up other than valid.
void authorize_order(Transport& transport, const Order& order, ChallengeSolver& solver,
                     const std::string& thumbprint);

}  // namespace xmppcert::acme
