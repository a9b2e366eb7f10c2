// Waiting on an ACME object (authorization, order) until it leaves its in-between states.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

// Waits on `url` until its status is none of `waiting`, honouring Retry-After and otherwise
// backing off from 100 ms to 2 s; OperationError after 120 s.
nlohmann::json poll_until(Transport& transport, const std::string& url,
                          const std::vector<std::string>& waiting);

// "type: detail" of an object's "error" problem document, or "no detail".
std::string problem_detail(const nlohmann::json& object);

}  // namespace xmppcert::acme
