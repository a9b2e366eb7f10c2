// The verify step after a reload: every probe target must serve the installed certificate.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/starttls_probe.h"

namespace xmppcert {

// Probes each target until it serves the certificate with `fingerprint` (SHA-256, "AB:CD:..")
// or `wait` has passed; then throws OperationError naming the target and what it served
// instead (or why the probe failed).
void verify_served(const std::vector<ProbeTarget>& targets, const std::string& fingerprint,
                   std::chrono::seconds wait);

}  // namespace xmppcert
