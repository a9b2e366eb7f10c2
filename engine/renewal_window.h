// A renewal time inside a CA's suggested window (RFC 9773 section 4.2): the one pick both
// the issuance (an issuer in plugins/issuers/) and xmppcertd's re-polling (agent/) make.
#pragma once

#include <cstdint>
#include <ctime>

namespace xmppcert {

// `current` when it already lies inside [start, end]; start when the window is empty or
// inverted; else start + (random mod the window's width + 1), a uniform pick. 64-bit
// arithmetic: any width a CA sends is safe (a 2^32-1 s window once divided by zero).
std::time_t renewal_time_in_window(std::time_t current, std::time_t start, std::time_t end,
                                   std::uint64_t random);

// 64 bits from OpenSSL's CSPRNG, for the pick above.
std::uint64_t random_u64();

}  // namespace xmppcert
