// Untrusted JSON, the only way the CA reads a request: every body, JWS header and payload is
// parsed here with a depth limit (nlohmann's parser is iterative, but dump() and our own
// walks are not: a 100,000-deep array must never get past the parser), and every field a
// handler uses is read through a typed accessor that answers `malformed` naming the field.
// Nothing parsed from a request is ever serialized again as it came.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace xmppcert::ca {

constexpr int kMaxJsonDepth = 32;
constexpr size_t kMaxContacts = 10;
constexpr size_t kMaxContactLength = 320;

// The parsed value; AcmeProblem malformed naming `what` when `text` is not JSON or nests
// deeper than kMaxJsonDepth.
nlohmann::json parse_untrusted_json(std::string_view text, const std::string& what);

// Member `key` of `object` (which must be an object) when present; AcmeProblem malformed
// naming `what`.`key` when it has another type.
std::optional<std::string> string_member(const nlohmann::json& object, const char* key,
                                         const std::string& what);
std::optional<bool> bool_member(const nlohmann::json& object, const char* key,
                                const std::string& what);
std::optional<long long> integer_member(const nlohmann::json& object, const char* key,
                                        const std::string& what);

// An account's `contact`: an array of at most kMaxContacts "mailto:" strings of at most
// kMaxContactLength bytes without control characters or commas; malformed or
// unsupportedContact otherwise. Returned as a fresh array of strings.
nlohmann::json checked_contacts(const nlohmann::json& value);

}  // namespace xmppcert::ca
