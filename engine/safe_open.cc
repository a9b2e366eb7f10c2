#include "engine/safe_open.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "engine/errors.h"

namespace xmppcert {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symlink";
  return "not a regular file";
}

}  // namespace

std::string read_regular_fd(int fd, const std::filesystem::path& path, size_t limit) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_operation_error("stat", path.string(), errno_text(errno));
  if (!S_ISREG(st.st_mode))
    throw_operation_error("read", path.string(), "is " + kind_of(st.st_mode) + ", not a file");
  if (static_cast<unsigned long long>(st.st_size) > limit)
    throw_operation_error("read", path.string(), "larger than " + std::to_string(limit) + " bytes");
  std::string content;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_operation_error("read", path.string(), errno_text(errno));
    }
    if (n == 0) break;
    // The file may grow after fstat (a writer appending): the cap holds anyway.
    if (content.size() + static_cast<size_t>(n) > limit)
      throw_operation_error("read", path.string(),
                            "larger than " + std::to_string(limit) + " bytes");
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

std::optional<UntrustedFile> read_untrusted_file(const std::filesystem::path& path, size_t limit) {
  std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dir.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP || errno == ENOTDIR)
      throw_operation_error("open", folder.string(), "is a symlink or not a directory");
    throw_operation_error("open directory", folder.string(), errno_text(errno));
  }
  Fd file(::openat(dir.get(), path.filename().c_str(),
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) throw_operation_error("open", path.string(), "is a symlink");
    throw_operation_error("open", path.string(), errno_text(errno));
  }
  UntrustedFile result;
  result.content = read_regular_fd(file.get(), path, limit);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0)
    throw_operation_error("stat", path.string(), errno_text(errno));
  result.mode = st.st_mode & 07777;
  result.owner = st.st_uid;
  result.group = st.st_gid;
  return result;
}

void require_real_directory(const std::filesystem::path& path, std::string_view what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw_operation_error(std::string("stat ") + std::string(what), path.string(),
                          errno_text(errno));
  }
  if (S_ISLNK(st.st_mode))
    throw_operation_error(std::string("use ") + std::string(what), path.string(),
                          "is a symlink (refused: whoever can replace it would choose where "
                          "root writes)");
  if (!S_ISDIR(st.st_mode))
    throw_operation_error(std::string("use ") + std::string(what), path.string(),
                          "is not a directory");
}

}  // namespace xmppcert
