// Reading files that someone less trusted than us can replace: a daemon user's folder (the
// installed certificate we snapshot for rollback, the file the agent compares), or any path
// at all. The guarantees: no hang on a FIFO, no unbounded read from a device or a huge file,
// and, for the untrusted reads, no symlink followed at the file or at its folder.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace xmppcert {

// Server configs, certificates, keys: far below this.
inline constexpr size_t kUntrustedFileLimit = 1 << 20;
// Anything read_file reads (records, PEMs, our config).
inline constexpr size_t kReadFileLimit = 16 << 20;

// Reads an open descriptor that must be a regular file of at most `limit` bytes; `path`
// names it in errors. Closes nothing.
std::string read_regular_fd(int fd, const std::filesystem::path& path, size_t limit);

struct UntrustedFile {
  std::string content;
  mode_t mode = 0;  // permission bits only
  uid_t owner = 0;
  gid_t group = 0;
};

// A file in a folder another user can write. Its folder is opened with O_NOFOLLOW (the path
// above it is the admin's), then the file relative to that folder with O_NOFOLLOW and
// O_NONBLOCK; it must be a regular file of at most `limit` bytes. nullopt when it does not
// exist; an OperationError naming the path for a symlink, FIFO, device or oversize file.
std::optional<UntrustedFile> read_untrusted_file(const std::filesystem::path& path,
                                                 size_t limit = kUntrustedFileLimit);

// A folder we write into that another user may control: it must be a real directory, not a
// symlink to one (OperationError naming `what` and the path). A missing folder passes.
void require_real_directory(const std::filesystem::path& path, std::string_view what);

}  // namespace xmppcert
