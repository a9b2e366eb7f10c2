// File-system primitives with the guarantees the rest of the engine relies on: every write
// is atomic (temp file in the same directory, fsync, rename, fsync of the directory) and
// lands with the requested owner and mode from its first byte.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xmppcert {

namespace fs = std::filesystem;

struct FileOwnership {
  mode_t mode = 0644;
  std::optional<uid_t> owner;  // unset: the writing process's own
  std::optional<gid_t> group;
};

inline constexpr mode_t kPrivateKeyMode = 0600;

// Owned by the writing process, with `mode`.
inline FileOwnership with_mode(mode_t mode) {
  FileOwnership ownership;
  ownership.mode = mode;
  return ownership;
}

// Whose folder a file is written into. Every step (temporary file, rename, fsync) works on one
// descriptor of the folder, so swapping the folder for a symlink mid-write redirects nothing;
// `untrusted` (a folder a daemon's user can replace) also refuses a folder that is a symlink.
enum class Folder { trusted, untrusted };

// Named points in multi-step writes ("atomic-write:before-rename", "store:after-key", ...)
// where a test simulates a crash (it exits there) or a race (it changes the files there),
// handed to the writer that has them. Production's are empty: reaching a point does nothing.
class CrashPoints {
 public:
  CrashPoints() = default;
  explicit CrashPoints(std::function<void(std::string_view point)> at) : at_(std::move(at)) {}
  void reached(std::string_view point) const {
    if (at_) at_(point);
  }

 private:
  std::function<void(std::string_view point)> at_;
};

// Temporary file in the same folder (created 0600, then mode and owner set before any byte),
// fsync, rename over `path`, fsync of the folder.
// `crash_points`: "atomic-write:before-rename".
void write_file_atomically(const fs::path& path, std::string_view content,
                           const FileOwnership& ownership = {}, Folder folder = Folder::trusted,
                           const CrashPoints& crash_points = {});

// A new file in a folder that is itself still private and is renamed into place as a whole
// (a staging folder): created with O_EXCL (mode and owner set before any byte), written and
// fsynced, but not renamed. Call sync_directory on the folder before renaming it.
void write_new_file(const fs::path& path, std::string_view content, const FileOwnership& ownership);

// A regular file of at most kReadFileLimit (engine/safe_open.h) bytes; a FIFO, a device or a
// bigger file is an OperationError, never a hang. Follows symlinks: for a file in a folder
// another user can write, use read_untrusted_file.
std::string read_file(const fs::path& path);

// mkdir -p, each created level with `mode`; an existing directory is left as it is.
void create_directories(const fs::path& path, mode_t mode);

// Flushes a directory's entries (after a rename into it).
void sync_directory(const fs::path& path);

// Fails with a UsageError when files cannot be created in `path` (creating the directory
// with `mode` first if it is missing): probed by really creating and removing a file. The
// state dir is created 0700 (it holds every key), as the Debian package creates it.
void require_writable_directory(const fs::path& path, std::string_view what, mode_t mode);
inline constexpr mode_t kStateDirMode = 0700;

// The paths matching a glob pattern, sorted; none when nothing matches.
std::vector<fs::path> glob_paths(const fs::path& pattern);

uid_t lookup_user(const std::string& name);
gid_t lookup_group(const std::string& name);


}  // namespace xmppcert
