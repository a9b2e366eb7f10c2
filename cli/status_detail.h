// `xmppcert status NAME`: everything about one certificate an admin looks for (certbot's
// `certificates`): its names, the stored versions, the files of the current one, the files
// it is installed to, the next action and the last outcome.
#pragma once

#include <string>

#include "engine/store.h"

namespace xmppcert::cli {

std::string status_detail(const Store& store, const CertificateRecord& record);

}  // namespace xmppcert::cli
