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

// Whether a CA's window may be followed for a certificate valid until `not_after`: only when it
// ends before then. RFC 9773 leaves sanity to the client; a window ending after expiry would
// let a CA (or whoever answers in its name) keep a certificate unrenewed until it lapses. A
// window already past is followed: "renew now" is how a CA asks after a mis-issuance.
bool window_ends_before_expiry(std::time_t window_end, std::time_t not_after);

// 64 bits from OpenSSL's CSPRNG, for the pick above.
std::uint64_t random_u64();

}  // namespace xmppcert
