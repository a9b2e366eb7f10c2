#include "engine/starttls_probe.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>

#include "engine/errors.h"

namespace xmppcert {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

class Probe {
 public:
  Probe(const ProbeTarget& target, Clock::time_point deadline)
      : target_(target), deadline_(deadline), what_(describe_target(target)) {}

  [[noreturn]] void fail(const std::string& cause) const {
    throw_operation_error("probe STARTTLS on", what_, cause);
  }

  int connect_socket() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string port = std::to_string(target_.port);
    if (int rc = getaddrinfo(target_.host.c_str(), port.c_str(), &hints, &found); rc != 0)
      fail("cannot resolve " + target_.host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
    std::string last_error = "no address";
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (::poll(&p, 1, remaining_ms(deadline_)) == 1 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
          return fd;
        last_error = err ? errno_text(err) : "timed out";
      } else {
        last_error = errno_text(errno);
      }
      ::close(fd);
    }
    fail("connect: " + last_error);
  }

  void send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms(deadline_)) == 1) continue;
      }
      fail("send: " + (n < 0 ? errno_text(errno) : std::string("connection closed")));
    }
  }

  // Reads until one of `ends` appears in what the server sent since the last call.
  std::string read_until(int fd, std::initializer_list<std::string_view> ends,
                         const std::string& waiting_for) {
    std::string received;
    char buffer[4096];
    while (received.size() < 65536) {
      for (auto end : ends)
        if (received.find(end) != std::string::npos) return received;
      if (auto error = stream_error(received)) fail("stream error <" + *error + "/>");
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline_)) != 1) fail("timed out waiting for " + waiting_for);
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (auto error = stream_error(received)) fail("stream error <" + *error + "/>");
        fail("connection closed while waiting for " + waiting_for);
      }
      received.append(buffer, static_cast<size_t>(n));
    }
    fail("more than 64 KiB before " + waiting_for);
  }

  // The condition element of a <stream:error>, once the error is complete.
  static std::optional<std::string> stream_error(const std::string& received) {
    size_t at = received.find(":error>");
    if (at == std::string::npos || received.find("</", at) == std::string::npos) return {};
    size_t open = received.find("urn:ietf:params:xml:ns:xmpp-streams", at);
    if (open == std::string::npos) return "unknown";
    size_t start = received.rfind('<', open);
    size_t end = received.find_first_of(" />", start + 1);
    return received.substr(start + 1, end - start - 1);
  }

  ServedChain run() {
    Socket socket(connect_socket());
    return run_on(socket.fd());
  }

  // The stream, STARTTLS and the handshake over a connected socket the caller owns.
  ServedChain run_on(int fd) {
    Socket socket(::dup(fd));
    if (socket.fd() < 0) fail("dup: " + errno_text(errno));
    const char* ns = target_.s2s ? "jabber:server" : "jabber:client";
    send_all(socket.fd(), std::string("<?xml version='1.0'?><stream:stream to='") + target_.domain +
                              "' xmlns='" + ns +
                              "' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
    std::string features = read_until(
        socket.fd(), {"/stream:features>", "</features>", "features/>"}, "stream features");
    if (features.find("urn:ietf:params:xml:ns:xmpp-tls") == std::string::npos)
      fail("the server does not offer STARTTLS for " + target_.domain);
    send_all(socket.fd(), "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    std::string answer = read_until(socket.fd(), {"<proceed", "<failure"}, "STARTTLS proceed");
    if (answer.find("<proceed") == std::string::npos) fail("the server refused STARTTLS");
    return handshake(socket.fd());
  }

  ServedChain handshake(int fd) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                          SSL_CTX_free);
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
    if (!ctx || !ssl) fail("TLS setup: " + openssl_error_text());
    SSL_set_tlsext_host_name(ssl.get(), target_.domain.c_str());
    SSL_set_fd(ssl.get(), fd);
    while (true) {
      int rc = SSL_connect(ssl.get());
      if (rc == 1) break;
      int error = SSL_get_error(ssl.get(), rc);
      short events = error == SSL_ERROR_WANT_READ    ? POLLIN
                     : error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                     : 0;
      if (!events) fail("TLS handshake: " + openssl_error_text());
      pollfd p{fd, events, 0};
      if (::poll(&p, 1, remaining_ms(deadline_)) != 1) fail("TLS handshake timed out");
    }
    ServedChain served;
    served.tls_version = SSL_get_version(ssl.get());
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) {
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* cert = sk_X509_value(chain, i);
        X509_up_ref(cert);
        served.chain.emplace_back(cert);
      }
    }
    if (served.chain.empty()) fail("the server sent no certificate");
    SSL_shutdown(ssl.get());
    return served;
  }

 private:
  const ProbeTarget& target_;
  Clock::time_point deadline_;
  std::string what_;
};

}  // namespace

std::string describe_target(const ProbeTarget& target) {
  return target.host + ":" + std::to_string(target.port) + " (" + (target.s2s ? "s2s" : "c2s") +
         ", " + target.domain + ")";
}

ServedChain probe_starttls(const ProbeTarget& target, std::chrono::milliseconds timeout) {
  ERR_clear_error();
  return Probe(target, Clock::now() + timeout).run();
}

ServedChain probe_starttls_over(int fd, const ProbeTarget& target,
                                std::chrono::milliseconds timeout) {
  ERR_clear_error();
  return Probe(target, Clock::now() + timeout).run_on(fd);
}

}  // namespace xmppcert
