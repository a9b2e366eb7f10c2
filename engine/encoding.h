// Text encodings of bytes: base64url without padding (RFC 4648 §5), as JOSE uses it;
// plain padded base64 (§4), as POSH fingerprints and SASL PLAIN use it; hex.
#pragma once

#include <string>
#include <string_view>

namespace xmppcert {

std::string base64url_encode(std::string_view data);
std::string base64_encode(std::string_view data);
// "ab01..."; with `upper`, "AB01..."; `separator` goes between bytes ("AB:01:...").
std::string hex_encode(std::string_view data, bool upper = false, std::string_view separator = "");
// Throws UsageError on characters outside the alphabet; `what` names the value.
std::string base64url_decode(std::string_view text, std::string_view what);

}  // namespace xmppcert
