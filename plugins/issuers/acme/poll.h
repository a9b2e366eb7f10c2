// Waiting on an ACME object (authorization, order) until it leaves its in-between states.
// CAs like pebble or boulder decide within milliseconds, so the first look comes soon after
// the request that set it going, and the pace slows from there; a Retry-After always wins.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

// The wait before look number `attempt` (0: the first, right after the challenge response or
// the finalize): 2 ms, doubling, at most 2 s. Pebble and a local xmppcert-ca decide within
// a few milliseconds; a slow CA costs about ten looks in its first second, or what its
// Retry-After asks for instead.
std::chrono::milliseconds poll_delay(int attempt);

// Waits on `url` until its status is none of `waiting`, honouring Retry-After (at most 10 s)
// and otherwise waiting poll_delay(); OperationError after 120 s.
nlohmann::json poll_until(Transport& transport, const std::string& url,
                          const std::vector<std::string>& waiting);

// "type: detail" of an object's "error" problem document, or "no detail".
std::string problem_detail(const nlohmann::json& object);

}  // namespace xmppcert::acme
