// What a server (or anyone on the path) sends the STARTTLS probe: stream header, features,
// proceed, then the TLS handshake bytes. Fed through a socketpair whose far end is closed.
#include <sys/socket.h>
#include <unistd.h>

#include "engine/starttls_probe.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  if (size > 100000) return 0;  // the socket buffer must hold it all
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  int buffer = 1 << 20;
  ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  ::setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  (void)!::write(fds[1], data, size);
  ::shutdown(fds[1], SHUT_WR);
  fuzz::expect_only_project_errors([&] {
    probe_starttls_over(fds[0], {"127.0.0.1", 5222, "example.org", false},
                        std::chrono::milliseconds(500));
  });
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
