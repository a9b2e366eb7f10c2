// ACME Renewal Information (RFC 9773): the CA's suggested renewal window for a certificate,
// and the certificate identifier that names it there and in a new order's "replaces".
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/issuer.h"
#include "engine/openssl_ptr.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

// base64url(AKI keyIdentifier) "." base64url(serial number bytes); OperationError when the
// certificate has no AKI key identifier.
std::string renewal_certificate_id(X509* certificate);

struct RenewalWindow {
  std::time_t start = 0;
  std::time_t end = 0;
};

// {"suggestedWindow": {"start": "...Z", "end": "...Z"}}; fractional seconds allowed.
// OperationError naming `origin` when malformed or end < start.
RenewalWindow parse_renewal_window(const nlohmann::json& json, const std::string& origin);

// At issuance: a uniformly random time in the CA's suggested window for `leaf` (RFC 9773
// §4.2) and the CA's Retry-After, into `issued`; renew_after 0 (the engine's two thirds) when
// the CA does not answer: renewal information is advice, not a dependency. `name` labels the
// log line.
void renewal_time_from_ca(Transport& transport, X509* leaf, const std::string& name,
                          IssuedCertificate& issued);

// GET <renewalInfo>/<certificate id>: the CA's current window and its Retry-After (RFC 9773
// section 4.3), for xmppcertd's re-polling; OperationError naming the URL when the CA does
// not answer with a window.
RenewalAdvice fetch_renewal_advice(Transport& transport, X509* certificate);

}  // namespace xmppcert::acme
