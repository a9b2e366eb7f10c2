// The ACME order (RFC 8555 §7.4): newOrder for the request's DNS names (with the profile and,
// for a renewal, "replaces" when the CA offers renewalInfo), then finalize with the CSR.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/issuer.h"
#include "plugins/issuers/acme/settings.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

struct Order {
  std::string url;                     // from the Location header
  nlohmann::json body;                 // status, authorizations, finalize, ...
  std::vector<std::string> requested;  // the DNS names we asked for: what an authz may name
};

Order place_order(Transport& transport, const AcmeSettings& settings,
                  const IssuanceRequest& request);

// Sends the CSR and waits for the order to become valid; returns the certificate URL.
std::string finalize_order(Transport& transport, const Order& order, X509_REQ* csr);

}  // namespace xmppcert::acme
