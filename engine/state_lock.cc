#include "engine/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "engine/errors.h"

namespace xmppcert {

StateLock::StateLock(const std::filesystem::path& state_dir, std::chrono::milliseconds patience) {
  auto path = state_dir / "lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw_operation_error("open lock file", path.string(), errno_text(errno));
  auto deadline = std::chrono::steady_clock::now() + patience;
  // Bounded: at most patience / 50 ms attempts.
  for (;;) {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int saved = errno;
      ::close(fd_);
      throw_operation_error("lock", path.string(), errno_text(saved));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      throw_operation_error("lock", path.string(),
                            "another xmppcert run (CLI, timer or agent) holds it");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace xmppcert
