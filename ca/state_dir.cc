#include "ca/state_dir.h"

#include <sys/stat.h>

#include "engine/errors.h"

namespace xmppcert::ca {

void make_state_dir_private(const std::filesystem::path& dir) {
  ::umask(077);
  if (::chmod(dir.c_str(), 0700) != 0)
    throw_operation_error("chmod 0700", dir.string(), errno_text(errno));
  for (const char* name : {"ca.db", "ca.db-wal", "ca.db-shm"}) {
    std::filesystem::path file = dir / name;
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0) continue;
    if (!S_ISREG(info.st_mode)) throw_operation_error("open", file.string(), "not a regular file");
    if ((info.st_mode & 077) != 0 && ::chmod(file.c_str(), 0600) != 0)
      throw_operation_error("chmod 0600", file.string(), errno_text(errno));
  }
}

}  // namespace xmppcert::ca
