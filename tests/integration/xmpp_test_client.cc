#include "tests/integration/xmpp_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "engine/encoding.h"

namespace xmppcert::testing {

XmppTestClient::XmppTestClient(const std::string& host, int port, const XmppLogin& login,
                               std::chrono::seconds timeout)
    : domain_(login.jid.substr(login.jid.find('@') + 1)) {
  try {
    log_in(host, port, login, timeout);
  } catch (...) {
    close();  // a throwing constructor gets no destructor
    throw;
  }
}

void XmppTestClient::log_in(const std::string& host, int port, const XmppLogin& login,
                            std::chrono::seconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("connect " + host + ":" + std::to_string(port));
  open_stream();
  expect("</stream:features>", timeout, "stream features");
  write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  expect("<proceed", timeout, "STARTTLS");

  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!login.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx_, login.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx_, login.key_file.c_str(), SSL_FILETYPE_PEM) != 1))
    throw std::runtime_error("load client certificate " + login.cert_file);
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, domain_.c_str());
  if (SSL_connect(ssl_) != 1) throw std::runtime_error("TLS handshake with " + domain_);

  open_stream();
  expect("</stream:features>", timeout, "features after TLS");
  std::string local = login.jid.substr(0, login.jid.find('@'));
  if (login.cert_file.empty())
    write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" +
          base64_encode(std::string(1, '\0') + local + std::string(1, '\0') + login.password) +
          "</auth>");
  else
    write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
  // Either outcome ends the wait: <failure .../> or <success .../>.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.find("<success", mark_) == std::string::npos) {
    if (buffer_.find("<failure", mark_) != std::string::npos || !read_more(deadline))
      throw std::runtime_error("SASL with " + domain_ +
                               " failed; the server sent: " + buffer_.substr(mark_));
  }

  open_stream();
  expect("</stream:features>", timeout, "features after SASL");
  write(
      "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
      "<resource>test</resource></bind></iq>");
  expect("</iq>", timeout, "resource binding");
  write("<presence/>");
  logged_in_ = true;
}

XmppTestClient::~XmppTestClient() { close(); }

void XmppTestClient::close() {
  if (ssl_) {
    if (logged_in_) SSL_write(ssl_, "</stream:stream>", 16);
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (ctx_) SSL_CTX_free(ctx_);
  ctx_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void XmppTestClient::open_stream() {
  mark_ = buffer_.size();
  write(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
      "xmlns:stream='http://etherx.jabber.org/streams' to='" +
      domain_ + "' version='1.0'>");
}

void XmppTestClient::send_chat(const std::string& to, const std::string& body) {
  write("<message type='chat' to='" + to + "' id='m" + std::to_string(buffer_.size()) + "'><body>" +
        body + "</body></message>");
}

void XmppTestClient::write(const std::string& data) {
  int n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
               : static_cast<int>(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL));
  if (n != static_cast<int>(data.size())) throw std::runtime_error("send to " + domain_);
}

bool XmppTestClient::read_more(std::chrono::steady_clock::time_point deadline) {
  char chunk[4096];
  for (;;) {
    if (!ssl_ || SSL_pending(ssl_) == 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    }
    int n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk)
                 : static_cast<int>(::recv(fd_, chunk, sizeof chunk, 0));
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (ssl_ && SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ) continue;
    return false;  // closed
  }
}

bool XmppTestClient::wait_for(const std::string& text, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t at = buffer_.find(text, mark_);
    if (at != std::string::npos) {
      mark_ = at + text.size();
      return true;
    }
    if (!read_more(deadline)) return false;
  }
}

void XmppTestClient::expect(const std::string& text, std::chrono::seconds timeout,
                            const std::string& step) {
  if (!wait_for(text, timeout))
    throw std::runtime_error(step + " with " + domain_ +
                             " failed; the server sent: " + buffer_.substr(mark_));
}

}  // namespace xmppcert::testing
