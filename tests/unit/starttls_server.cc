#include "tests/unit/starttls_server.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <memory>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

std::string receive_until(int fd, const std::string& end) {
  std::string received;
  char buffer[2048];
  while (received.find(end) == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

void send_text(int fd, const std::string& text) {
  ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

}  // namespace

StartTlsServer::StartTlsServer(StartTlsBehaviour behaviour) : behaviour_(std::move(behaviour)) {
  // A probe closing its end mid-handshake must not kill the test process.
  std::signal(SIGPIPE, SIG_IGN);
  listener_ = listen_on_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

StartTlsServer::~StartTlsServer() {
  stop_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

void StartTlsServer::set_behaviour(StartTlsBehaviour behaviour) {
  std::lock_guard lock(mutex_);
  behaviour_ = std::move(behaviour);
}

std::string StartTlsServer::last_sni() {
  std::lock_guard lock(mutex_);
  return sni_;
}

std::string StartTlsServer::last_stream_header() {
  std::lock_guard lock(mutex_);
  return header_;
}

void StartTlsServer::serve() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) continue;
    answer(fd);
    ::close(fd);
  }
}

void StartTlsServer::answer(int fd) {
  StartTlsBehaviour behaviour;
  {
    std::lock_guard lock(mutex_);
    behaviour = behaviour_;
  }
  std::string header = receive_until(fd, ">");
  {
    std::lock_guard lock(mutex_);
    header_ = header;
  }
  send_text(fd,
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' id='t' version='1.0'>");
  if (!behaviour.stream_error.empty()) {
    send_text(fd, "<stream:error><" + behaviour.stream_error +
                      " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
                      "</stream:stream>");
    return;
  }
  send_text(fd, behaviour.offer_starttls
                    ? "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                      "</stream:features>"
                    : "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                      "</stream:features>");
  if (!behaviour.offer_starttls) return;
  receive_until(fd, "/>");
  send_text(fd, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");

  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        SSL_CTX_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> certs(
      BIO_new_mem_buf(behaviour.cert_pem.data(), static_cast<int>(behaviour.cert_pem.size())),
      BIO_free);
  X509* leaf = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
  SSL_CTX_use_certificate(ctx.get(), leaf);
  X509_free(leaf);
  while (X509* extra = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr))
    SSL_CTX_add_extra_chain_cert(ctx.get(), extra);  // takes ownership
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(behaviour.key_pem.data(), static_cast<int>(behaviour.key_pem.size())),
      BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  SSL_CTX_use_PrivateKey(ctx.get(), key);
  EVP_PKEY_free(key);
  // The SNI is recorded while the ClientHello is read: after SSL_accept would race with a
  // client that has its chain (and is asked for last_sni()) before the server's accept returns.
  SSL_CTX_set_tlsext_servername_callback(
      ctx.get(), +[](SSL* ssl, int*, void* arg) -> int {
        auto* server = static_cast<StartTlsServer*>(arg);
        const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard lock(server->mutex_);
        server->sni_ = sni ? sni : "";
        return SSL_TLSEXT_ERR_OK;
      });
  SSL_CTX_set_tlsext_servername_arg(ctx.get(), this);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  SSL_accept(ssl.get());
  SSL_shutdown(ssl.get());
}

}  // namespace xmppcert::testing
