#include "tests/integration/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "engine/http.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

std::mutex path_mutex;

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

}  // namespace

FaultProxy::FaultProxy(std::string upstream, std::string trust_file, const std::string& cert_file,
                       const std::string& key_file)
    : upstream_(std::move(upstream)), trust_file_(std::move(trust_file)) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate_file(ctx_, cert_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM);
  listener_ = listen_on_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  if (thread_.joinable()) thread_.join();
  SSL_CTX_free(ctx_);
}

void FaultProxy::set_fault(Fault fault, std::string path_part) {
  std::lock_guard<std::mutex> lock(path_mutex);
  path_part_ = std::move(path_part);
  fault_ = fault;
}

void FaultProxy::serve() {
  while (!stopping_) {
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    handle(fd);  // one connection at a time: the client under test is sequential
    ::close(fd);
  }
}

void FaultProxy::handle(int fd) {
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {
    SSL_free(ssl);
    return;
  }
  // The JWS "url" names the proxy; pebble checks it against the Host it was asked for.
  HttpOptions options;
  options.ca_file = trust_file_;
  options.extra_headers = {"Host: localhost:" + std::to_string(port_)};
  CurlHttpClient upstream(options);
  std::string buffer;
  char chunk[8192];
  for (;;) {  // keep-alive: one request after another
    size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      int n = SSL_read(ssl, chunk, sizeof chunk);
      if (n <= 0) goto done;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    {
      std::string head = buffer.substr(0, header_end);
      size_t length_at = head.find("Content-Length: ");
      size_t body_length =
          length_at == std::string::npos ? 0 : std::stoul(head.substr(length_at + 16));
      while (buffer.size() < header_end + 4 + body_length) {
        int n = SSL_read(ssl, chunk, sizeof chunk);
        if (n <= 0) goto done;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      std::string body = buffer.substr(header_end + 4, body_length);
      buffer.erase(0, header_end + 4 + body_length);
      std::string method = head.substr(0, head.find(' '));
      std::string path =
          head.substr(method.size() + 1, head.find(' ', method.size() + 1) - method.size() - 1);
      bool hit;
      {
        std::lock_guard<std::mutex> lock(path_mutex);
        hit = fault_ != Fault::kNone && path.find(path_part_) != std::string::npos;
      }
      if (hit && fault_ == Fault::kDrop) goto done;
      std::string status_line, headers, response_body;
      long status = 0;
      if (hit && fault_ == Fault::kServerError) {
        status = 500;
        response_body =
            R"({"type":"urn:ietf:params:acme:error:serverInternal","detail":"proxy says no"})";
        headers = "Content-Type: application/problem+json\r\n";
      } else {
        HttpResponse r = method == "GET" ? upstream.get(upstream_ + path)
                         : method == "HEAD"
                             ? upstream.head(upstream_ + path)
                             : upstream.post(upstream_ + path, body, "application/jose+json");
        status = r.status;
        response_body = r.body;
        for (const auto& [name, value] : r.headers) {
          if (name == "content-length" || name == "connection" || name == "transfer-encoding")
            continue;
          std::string rewritten = value;
          replace_all(rewritten, upstream_, base_url());
          headers += name + ": " + rewritten + "\r\n";
        }
        replace_all(response_body, upstream_, base_url());
        if (hit && fault_ == Fault::kForeignCertificate) response_body = foreign_pem_;
      }
      std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\n" + headers +
                             "Content-Length: " + std::to_string(response_body.size()) +
                             "\r\n\r\n" + response_body;
      if (method == "HEAD")
        response =
            "HTTP/1.1 " + std::to_string(status) + " X\r\n" + headers + "Content-Length: 0\r\n\r\n";
      SSL_write(ssl, response.data(), static_cast<int>(response.size()));
    }
  }
done:
  SSL_shutdown(ssl);
  SSL_free(ssl);
}

}  // namespace xmppcert::testing
