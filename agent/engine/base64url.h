// base64url without padding (RFC 4648 §5), as JOSE and ACME use it.
#pragma once

#include <string>
#include <string_view>

namespace xmppcert {

std::string base64url_encode(std::string_view data);
// Throws UsageError on characters outside the alphabet; `what` names the value.
std::string base64url_decode(std::string_view text, std::string_view what);

}  // namespace xmppcert
