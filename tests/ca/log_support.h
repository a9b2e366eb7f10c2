// What the tests of the CA's transparency log share: a base64 hash from the API, and a signed
// tree head checked against the key the log list names.
#pragma once

#include <nlohmann/json.hpp>

#include "ct/merkle.h"

namespace xmppcert::testing {

ctlog::Hash hash_from(const nlohmann::json& text);
// The STH's signature checked with the key the log list names (RFC 6962 §3.5).
bool tree_head_signature_verifies(const nlohmann::json& list, const nlohmann::json& sth);

}  // namespace xmppcert::testing
