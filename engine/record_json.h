// record.json: a certificate's record as the state dir keeps it. Times are UTC text (null:
// never); the request is stored as the config would write it, without secrets
// (engine/request.h). A record that does not read is an OperationError naming its origin.
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/store.h"

namespace xmppcert {

nlohmann::json record_to_json(const CertificateRecord& record);
// The renewal window and next renewalInfo poll the issuer gave, the names the last renewal
// left out and those a failed attempt asked for (pending_request), as record.json and
// `xmppcert status --json` both show them (absent when unset).
void add_renewal_outlook(nlohmann::json& json, const CertificateRecord& record);
CertificateRecord record_from_json(const nlohmann::json& json, const std::string& origin);

// A stored time as the state dir writes it (records, DANE state): UTC text, null for 0 (never);
// and back (null or absent: 0; malformed text: UsageError).
nlohmann::json stored_time_to_json(std::time_t time);
std::time_t stored_time_from_json(const nlohmann::json& json);

}  // namespace xmppcert
