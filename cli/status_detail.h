// `xmppcert status NAME`: everything about one certificate an admin looks for (certbot's
// `certificates`): its names, the stored versions, the files of the current one, the files
// it is installed to, the next action and the last outcome.
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/store.h"

namespace xmppcert::cli {

// `renewed_from`: the config entry or stored request xmppcertd and `renew` renew it from.
std::string status_detail(const Store& store, const CertificateRecord& record,
                          const std::string& renewed_from);

// The DANE rollover in one phrase for `status` ("" without "dane"): the keys in DNS, whether
// the next one is visible, and why a renewal waits.
std::string dane_summary(const CertificateRecord& record, std::time_t now);
nlohmann::json dane_status_json(const CertificateRecord& record, std::time_t now);

// Whether the POSH documents in the "posh" dir name the current certificate: "current",
// "stale" (they name others only), "missing", or "unreadable: why"; "" without "posh".
std::string posh_state(const Store& store, const CertificateRecord& record);

}  // namespace xmppcert::cli
