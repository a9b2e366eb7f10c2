// tls-alpn-01 (RFC 8737): a TLS handshake offering only ALPN "acme-tls/1" with SNI = the
// domain; the self-signed certificate presented must name exactly that domain and carry the
// critical acmeIdentifier extension (1.3.6.1.5.5.7.1.31) holding SHA-256(key authorization).
#include <fcntl.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "ca/problem.h"
#include "ca/va/validator.h"
#include "engine/errors.h"
#include "engine/san.h"

namespace xmppcert::ca {
namespace {

// Milliseconds left until `deadline` (0 when it has passed).
int remaining_ms(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// A connected non-blocking socket; -1 and `failure` set otherwise (by `deadline` at the latest).
int connect_by(const std::string& address, int port, Deadline deadline, std::string& failure) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* info = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &info) != 0) {
    failure = "bad address " + address;
    return -1;
  }
  int fd = ::socket(info->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, info->ai_addr, info->ai_addrlen);
  freeaddrinfo(info);
  if (fd >= 0 && rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&p, 1, remaining_ms(deadline)) == 1 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
      rc = 0;
    else
      errno = error ? error : ETIMEDOUT;
  }
  if (rc != 0) {
    failure = errno_text(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// SSL_connect on a non-blocking socket, waiting for it only until `deadline`: a peer sending
// one byte every few seconds gets no more time than a silent one.
bool handshake_by(SSL* ssl, int fd, Deadline deadline, std::string& failure) {
  for (;;) {
    int rc = SSL_connect(ssl);
    if (rc == 1) return true;
    int error = SSL_get_error(ssl, rc);
    short events = error == SSL_ERROR_WANT_READ    ? POLLIN
                   : error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                   : 0;
    if (events == 0) {
      failure = openssl_error_text();
      if (failure.empty()) failure = "the peer closed the connection";
      return false;
    }
    pollfd p{fd, events, 0};
    int left = remaining_ms(deadline);
    if (left == 0 || ::poll(&p, 1, left) != 1) {
      failure = "no handshake within the validation deadline";
      return false;
    }
  }
}

void check_certificate(X509* cert, const ChallengeToCheck& challenge) {
  const std::string& domain = challenge.domain;
  XmppIdentities ids = identities_in_certificate(cert);
  if (ids.dns_ids != std::vector<std::string>{domain} || !ids.srv_ids.empty() ||
      !ids.xmpp_addrs.empty())
    throw AcmeProblem("unauthorized",
                      "tls-alpn-01: the certificate from " + domain + " must name only " + domain);
  Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
  int index = X509_get_ext_by_OBJ(cert, oid.get(), -1);
  if (index < 0)
    throw AcmeProblem("unauthorized",
                      "tls-alpn-01: no acmeIdentifier in " + domain + "'s certificate");
  X509_EXTENSION* ext = X509_get_ext(cert, index);
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  std::string expected = "\x04\x20" + key_authorization_digest(challenge.key_authorization);
  std::string actual(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     ASN1_STRING_length(data));
  if (!X509_EXTENSION_get_critical(ext) || actual != expected)
    throw AcmeProblem("incorrectResponse", "tls-alpn-01: " + domain +
                                               "'s acmeIdentifier is not critical or does not "
                                               "hold the key authorization digest");
}

}  // namespace

void Validator::validate_tls_alpn01(const ChallengeToCheck& challenge, Deadline deadline,
                                    ValidationRecord* record) {
  std::string last_failure;
  for (const auto& address : addresses_of(challenge.domain, deadline, record)) {
    std::string where =
        challenge.domain + " (" + address + ":" + std::to_string(options_.tls_port) + ")";
    check_deadline(deadline, "tls-alpn-01: " + where);
    int fd = connect_by(address, options_.tls_port, deadline, last_failure);
    if (fd < 0) {
      last_failure = "tls-alpn-01: connect to " + where + ": " + last_failure;
      continue;
    }
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL* ssl = SSL_new(ctx);
    static const unsigned char kAlpn[] =
        "\x0a"
        "acme-tls/1";
    SSL_set_alpn_protos(ssl, kAlpn, sizeof kAlpn - 1);
    SSL_set_tlsext_host_name(ssl, challenge.domain.c_str());
    SSL_set_fd(ssl, fd);
    std::string tls_failure;
    bool handshake = handshake_by(ssl, fd, deadline, tls_failure);
    const unsigned char* selected = nullptr;
    unsigned int selected_length = 0;
    SSL_get0_alpn_selected(ssl, &selected, &selected_length);
    // Copied before SSL_free: `selected` points into the session being freed.
    std::string protocol(reinterpret_cast<const char*>(selected), selected ? selected_length : 0);
    X509Ptr cert(handshake ? SSL_get1_peer_certificate(ssl) : nullptr);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::close(fd);
    if (!handshake)
      throw AcmeProblem("tls", "tls-alpn-01: handshake with " + where + ": " + tls_failure);
    if (protocol != "acme-tls/1")
      throw AcmeProblem("unauthorized", "tls-alpn-01: " + where + " did not select acme-tls/1");
    if (!cert) throw AcmeProblem("tls", "tls-alpn-01: " + where + " sent no certificate");
    check_certificate(cert.get(), challenge);
    return;
  }
  throw AcmeProblem("connection", last_failure);
}

}  // namespace xmppcert::ca
