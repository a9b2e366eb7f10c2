#include "engine/fs.h"

#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "engine/errors.h"
#include "engine/safe_open.h"

namespace xmppcert {
namespace {

void write_all(int fd, std::string_view content, const fs::path& path) {
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_operation_error("write", path.string(), errno_text(errno));
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
}

// Mode and owner before any byte is written, so a key is never readable by others.
void set_mode_and_owner(int fd, const FileOwnership& ownership, const fs::path& path) {
  if (::fchmod(fd, ownership.mode) != 0)
    throw_operation_error("chmod", path.string(), errno_text(errno));
  if (ownership.owner || ownership.group) {
    if (::fchown(fd, ownership.owner.value_or(static_cast<uid_t>(-1)),
                 ownership.group.value_or(static_cast<gid_t>(-1))) != 0)
      throw_operation_error("chown", path.string(), errno_text(errno));
  }
}

// Six letters or digits, as mkstemp's XXXXXX (which cannot work relative to a folder fd).
std::string random_suffix() {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[6];
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    throw_operation_error("getrandom", "temporary file name", errno_text(errno));
  std::string suffix;
  for (unsigned char byte : bytes) suffix += kAlphabet[byte % (sizeof kAlphabet - 1)];
  return suffix;
}

}  // namespace

void sync_directory(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_operation_error("open directory", path.string(), errno_text(errno));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) throw_operation_error("fsync directory", path.string(), errno_text(saved));
}

void write_file_atomically(const fs::path& path, std::string_view content,
                           const FileOwnership& ownership, Folder folder,
                           const CrashPoints& crash_points) {
  fs::path directory = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (folder == Folder::untrusted ? O_NOFOLLOW : 0);
  int dir = ::open(directory.c_str(), flags);
  if (dir < 0)
    throw_operation_error("open folder", directory.string(),
                          errno == ELOOP || errno == ENOTDIR
                              ? "it is a symlink or not a folder; not followed into a folder "
                                "another user can write"
                              : errno_text(errno));
  const std::string name = path.filename().string();
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    temp = "." + name + ".tmp-" + random_suffix();
    fd = ::openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    int saved = errno;
    ::close(dir);
    throw_operation_error("create temporary file in", directory.string(), errno_text(saved));
  }
  fs::path temp_path = directory / temp;
  try {
    set_mode_and_owner(fd, ownership, temp_path);
    write_all(fd, content, temp_path);
    if (::fsync(fd) != 0) throw_operation_error("fsync", temp_path.string(), errno_text(errno));
    crash_points.reached("atomic-write:before-rename");
    if (::close(fd) != 0) {
      fd = -1;
      throw_operation_error("close", temp_path.string(), errno_text(errno));
    }
    fd = -1;
    if (::renameat(dir, temp.c_str(), dir, name.c_str()) != 0)
      throw_operation_error("rename " + temp_path.string() + " to", path.string(),
                            errno_text(errno));
    if (::fsync(dir) != 0)
      throw_operation_error("fsync directory", directory.string(), errno_text(errno));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlinkat(dir, temp.c_str(), 0);
    ::close(dir);
    throw;
  }
  ::close(dir);
}

void write_new_file(const fs::path& path, std::string_view content, const FileOwnership& ownership) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw_operation_error("create", path.string(), errno_text(errno));
  try {
    set_mode_and_owner(fd, ownership, path);
    write_all(fd, content, path);
    if (::fsync(fd) != 0) throw_operation_error("fsync", path.string(), errno_text(errno));
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw_operation_error("close", path.string(), errno_text(errno));
}

std::string read_file(const fs::path& path) {
  // O_NONBLOCK: a FIFO planted where a file was expected must not hang us (read_regular_fd
  // then refuses it); the size cap keeps /dev/zero or a huge file from exhausting memory.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw_operation_error("open", path.string(), errno_text(errno));
  try {
    std::string content = read_regular_fd(fd, path, kReadFileLimit);
    ::close(fd);
    return content;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

void create_directories(const fs::path& path, mode_t mode) {
  fs::path current;
  for (const auto& part : path) {
    current /= part;
    if (current == current.root_path()) continue;
    if (::mkdir(current.c_str(), mode) == 0) continue;
    if (errno == EEXIST) {
      struct stat st {};
      if (::stat(current.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      throw_operation_error("create directory", current.string(), "exists and is not a directory");
    }
    throw_operation_error("create directory", current.string(), errno_text(errno));
  }
}

void require_writable_directory(const fs::path& path, std::string_view what, mode_t mode) {
  try {
    create_directories(path, mode);
  } catch (const OperationError& e) {
    throw UsageError(std::string(what) + " " + path.string() + " is not writable: " + e.what());
  }
  std::string pattern = (path / ".xmppcert-write-probe-XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw UsageError(std::string(what) + " " + path.string() +
                     " is not writable: " + errno_text(errno));
  ::close(fd);
  ::unlink(name.data());
}

std::vector<fs::path> glob_paths(const fs::path& pattern) {
  glob_t matches{};
  std::vector<fs::path> paths;
  if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0)
    for (size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  ::globfree(&matches);
  return paths;
}

uid_t lookup_user(const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    // (uid_t)-1 means "unchanged" to chown: not an id anyone can have.
    if (name.size() > 10 || std::stoull(name) >= 0xffffffffULL)
      throw UsageError("user id \"" + name + "\" is out of range");
    return static_cast<uid_t>(std::stoul(name));
  }
  struct passwd* entry = ::getpwnam(name.c_str());
  if (!entry) throw UsageError("unknown user \"" + name + "\"");
  return entry->pw_uid;
}

gid_t lookup_group(const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    // (uid_t)-1 means "unchanged" to chown: not an id anyone can have.
    if (name.size() > 10 || std::stoull(name) >= 0xffffffffULL)
      throw UsageError("group id \"" + name + "\" is out of range");
    return static_cast<gid_t>(std::stoul(name));
  }
  struct group* entry = ::getgrnam(name.c_str());
  if (!entry) throw UsageError("unknown group \"" + name + "\"");
  return entry->gr_gid;
}

}  // namespace xmppcert
