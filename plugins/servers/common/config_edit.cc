#include "plugins/servers/common/config_edit.h"

#include <ctime>
#include <optional>

#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/safe_open.h"

namespace xmppcert {

std::filesystem::path replace_config_with_backup(const std::filesystem::path& config,
                                                 const std::string& content) {
  // One descriptor for the bytes and the owner (a daemon user may own the folder: swapping
  // the file for a symlink to a root-only file between a stat and a read must not copy that
  // file's bytes into a backup it can read). A symlinked config is refused, not replaced.
  std::optional<UntrustedFile> old = read_untrusted_file(config);
  if (!old) throw_operation_error("edit server config", config.string(), "it does not exist");
  FileOwnership same{old->mode, old->owner, old->group};
  std::filesystem::path backup =
      config.string() + ".xmppcert-backup-" + format_utc(std::time(nullptr));
  write_file_atomically(backup, old->content, same);
  write_file_atomically(config, content, same);
  log_line(config.filename().string(), "edited; the previous version is " + backup.string());
  // One backup, the last: each edit would otherwise leave one more copy in /etc.
  const std::string prefix = config.filename().string() + ".xmppcert-backup-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(config.parent_path(), error))
    if (entry.path().filename().string().starts_with(prefix) && entry.path() != backup &&
        entry.is_regular_file(error) && !entry.is_symlink(error))
      std::filesystem::remove(entry.path(), error);
  return backup;
}

}  // namespace xmppcert
