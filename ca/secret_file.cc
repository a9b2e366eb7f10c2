#include "ca/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

constexpr size_t kMaxSecret = 4096;

struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_secret_file(const std::string& path, const std::string& what) {
  const std::string operation = "read " + what;
  Descriptor file{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0)
    throw_operation_error(operation, path,
                          errno == ELOOP ? "a symlink (name the file itself)" : errno_text(errno));
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) throw_operation_error(operation, path, errno_text(errno));
  if (!S_ISREG(info.st_mode)) throw_operation_error(operation, path, "not a regular file");
  if (info.st_uid != 0 && info.st_uid != ::geteuid())
    throw_operation_error(operation, path,
                          "owned by uid " + std::to_string(info.st_uid) + " (must be root)");
  if (info.st_mode & (S_IRWXG | S_IRWXO))
    throw_operation_error(operation, path, "group or others may access it (chmod 600)");
  std::string secret;
  char buffer[512];
  for (;;) {
    ssize_t got = ::read(file.fd, buffer, sizeof buffer);
    if (got < 0) throw_operation_error(operation, path, errno_text(errno));
    if (got == 0) break;
    secret.append(buffer, static_cast<size_t>(got));
    if (secret.size() > kMaxSecret) throw_operation_error(operation, path, "larger than 4 KiB");
  }
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace xmppcert::ca
