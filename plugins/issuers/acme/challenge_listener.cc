#include "plugins/issuers/acme/challenge_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "engine/errors.h"

namespace xmppcert::acme {

ChallengeListener::ChallengeListener(const std::string& what, const std::string& address, int port,
                                     std::function<void(int client)> handle)
    : handle_(std::move(handle)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1)
    throw UsageError(what + " address \"" + address + "\" is not an IPv4 address");
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0 || ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    int saved = errno;
    ::close(listener_);
    throw_operation_error("listen for " + what + " on", address + ":" + std::to_string(port),
                          errno_text(saved));
  }
  thread_ = std::thread([this] { serve(); });
}

ChallengeListener::~ChallengeListener() {
  (void)!::write(stop_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  std::map<int, std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shut_down_overdue(true);
    workers.swap(workers_);
  }
  for (auto& [fd, worker] : workers) worker.join();
  for (auto& worker : finished_) worker.join();
  ::close(listener_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

// Under mutex_. Shutting a socket down makes the handler's blocked read or write return.
void ChallengeListener::shut_down_overdue(bool all) {
  auto now = std::chrono::steady_clock::now();
  for (auto& [fd, deadline] : open_)
    if (all || now >= deadline) ::shutdown(fd, SHUT_RDWR);
}

void ChallengeListener::serve_one(int client) {
  try {
    handle_(client);
  } catch (...) {  // one connection's failure is not the run's
  }
  std::lock_guard<std::mutex> lock(mutex_);
  open_.erase(client);
  ::close(client);  // under the lock: shut_down_overdue never sees a reused number
  auto self = workers_.find(client);
  if (self != workers_.end()) {
    finished_.push_back(std::move(self->second));
    workers_.erase(self);
  }
}

void ChallengeListener::serve() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int ready = ::poll(fds, 2, 250);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shut_down_overdue(false);
      for (auto& worker : finished_) worker.join();
      finished_.clear();
    }
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0) continue;
    if (fds[1].revents) return;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    timeval timeout{5, 0};  // a validator that stalls cannot hold the responder
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::lock_guard<std::mutex> lock(mutex_);
    if (static_cast<int>(open_.size()) >= kMaxConnections) {
      ::close(client);
      continue;
    }
    open_[client] = std::chrono::steady_clock::now() + kConnectionDeadline;
    workers_[client] = std::thread([this, client] { serve_one(client); });
  }
}

}  // namespace xmppcert::acme
