// The certificate revocation list (RFC 5280 §5), signed by the intermediate, named in every
// issued certificate's CRL distribution point (<base>/crl) and rebuilt on each revocation.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "ca/ca_keys.h"
#include "ca/sa/storage.h"

namespace xmppcert::ca {

// A CRL's nextUpdate is a week after its lastUpdate; the CA serves none older than a day.
inline constexpr std::time_t kCrlNextUpdate = 7 * 86400;
inline constexpr std::time_t kCrlRefreshAfter = 86400;

// DER. `number` is the CRL number (monotonic); next update kCrlNextUpdate after `now`.
std::string build_crl(IssuingCa& ca, const std::vector<IssuedLeaf>& revoked,
                      long long number, std::time_t now);

}  // namespace xmppcert::ca
