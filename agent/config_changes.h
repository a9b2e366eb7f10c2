// What a config reload changed, as xmppcertd logs it: certificates added and removed, and
// per certificate the request fields that differ.
#pragma once

#include <string>
#include <vector>

#include "engine/request.h"

namespace xmppcert {

// One line per change ("example.org: added", "example.org: components, install changed");
// empty when nothing changed.
std::vector<std::string> describe_config_changes(const std::vector<CertificateRequest>& before,
                                                 const std::vector<CertificateRequest>& after);

}  // namespace xmppcert
