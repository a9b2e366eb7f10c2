// The ClientHello (and whatever follows) a tls-alpn-01 validator, or anyone, sends the
// built-in responder: SNI and ALPN selection run on it. Fed through a closed socketpair.
#include <sys/socket.h>
#include <unistd.h>

#include "plugins/issuers/acme/tls_alpn_responder.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  static acme::TlsAlpnResponder* responder = [] {
    auto* r = new acme::TlsAlpnResponder("127.0.0.1", 0);
    r->present("example.org", "token", "token.thumbprint");
    return r;
  }();
  if (size > 100000) return 0;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  int buffer = 1 << 20;
  ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  (void)!::write(fds[1], data, size);
  ::shutdown(fds[1], SHUT_WR);
  timeval timeout{1, 0};
  ::setsockopt(fds[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  fuzz::expect_only_project_errors([&] { responder->handshake(fds[0]); });
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
