// A stored record of example.org whose current version is valid from `not_before` to
// `not_after` (no renewal time stored: tests of the decision set what they need).
#pragma once

#include <ctime>

#include "engine/store.h"

namespace xmppcert::testing {

CertificateRecord issued_record(std::time_t not_before, std::time_t not_after);

}  // namespace xmppcert::testing
