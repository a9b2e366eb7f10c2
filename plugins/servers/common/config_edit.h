// --edit-config: changing an admin's server config, only when asked, always with a backup
// beside it (CONFIG.xmppcert-backup-<UTC time>) and the same owner and mode. Only the last
// backup is kept: the version before the latest edit.
#pragma once

#include <filesystem>
#include <string>

namespace xmppcert {

// Backs `config` up, then replaces it atomically with `content`; returns the backup's path.
// The config is read as an untrusted file (safe_open.h): a symlink, FIFO or device is an
// OperationError naming it.
std::filesystem::path replace_config_with_backup(const std::filesystem::path& config,
                                                 const std::string& content);

}  // namespace xmppcert
