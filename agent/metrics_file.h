// The node_exporter textfile collector's format: per certificate its not-after, last success,
// consecutive failures and next action, written atomically.
#pragma once

#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/store.h"

namespace xmppcert {

void write_metrics_file(const std::filesystem::path& path,
                        const std::vector<CertificateRecord>& records,
                        const std::map<std::string, std::time_t>& next_actions,
                        const std::string& more_lines = "");

}  // namespace xmppcert
