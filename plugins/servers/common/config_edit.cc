#include "plugins/servers/common/config_edit.h"

#include <sys/stat.h>

#include <ctime>

#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"

namespace xmppcert {

std::filesystem::path replace_config_with_backup(const std::filesystem::path& config,
                                                 const std::string& content) {
  struct stat st {};
  if (::stat(config.c_str(), &st) != 0)
    throw_operation_error("edit server config", config.string(), errno_text(errno));
  FileOwnership same{static_cast<mode_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
  std::filesystem::path backup =
      config.string() + ".xmppcert-backup-" + format_utc(std::time(nullptr));
  write_file_atomically(backup, read_file(config), same);
  write_file_atomically(config, content, same);
  log_line(config.filename().string(), "edited; the previous version is " + backup.string());
  return backup;
}

}  // namespace xmppcert
