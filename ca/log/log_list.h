// The log list naming the CA's log, in the v3 JSON format of Chrome's and Apple's lists
// (https://www.gstatic.com/ct/log_list/v3/log_list_schema.json) that certspotter reads with
// -logs FILE: one operator, one log with its description, log_id (base64 SHA-256 of the key's
// SubjectPublicKeyInfo), key (base64 SPKI DER), url (the base the /ct/v1/ paths follow),
// mmd in seconds and a "usable" state.
#pragma once

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "ca/log/log_key.h"

namespace xmppcert::ctlog {

nlohmann::json log_list(const LogKey& key, const std::string& hostname, const std::string& url,
                        int mmd_seconds, std::time_t now);

// `serve` records the URL its log answers at (<state>/log.json), for `log-list`.
void record_log_url(const std::filesystem::path& state_dir, const std::string& url);
std::string recorded_log_url(const std::filesystem::path& state_dir);  // "" if none

}  // namespace xmppcert::ctlog
