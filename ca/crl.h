// The certificate revocation list (RFC 5280 §5), signed by the intermediate, named in every
// issued certificate's CRL distribution point (<base>/crl) and rebuilt on each revocation.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "ca/ca_keys.h"
#include "ca/sa/storage.h"

namespace xmppcert::ca {

// DER. `number` is the CRL number (monotonic); next update a week after `now`.
std::string build_crl(IssuingCa& ca, const std::vector<CertificateRecord>& revoked,
                      long long number, std::time_t now);

}  // namespace xmppcert::ca
