#include "tests/ca/webroot_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace xmppcert::testing {

WebrootServer::WebrootServer(int port, std::filesystem::path webroot)
    : webroot_(std::move(webroot)) {
  std::filesystem::create_directories(webroot_);
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0) {
    int error = errno;
    ::close(listener_);
    throw std::runtime_error("webroot server: listen on 127.0.0.1:" + std::to_string(port) + ": " +
                             std::strerror(error));
  }
  thread_ = std::thread([this] { serve(); });
}

WebrootServer::~WebrootServer() {
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  if (thread_.joinable()) thread_.join();
}

void WebrootServer::serve() {
  for (;;) {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    answer(client);
    ::close(client);
  }
}

void WebrootServer::answer(int client) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    pollfd pfd{client, POLLIN, 0};
    if (::poll(&pfd, 1, 5000) <= 0) return;
    ssize_t n = ::read(client, buffer, sizeof buffer);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
  }
  const std::string prefix = "GET /.well-known/acme-challenge/";
  std::string body = "not found\n";
  int status = 404;
  if (request.rfind(prefix, 0) == 0) {
    std::string name =
        request.substr(prefix.size(), request.find(' ', prefix.size()) - prefix.size());
    std::ifstream file(webroot_ / name);
    // A token is base64url: a name with '/' or ".." would leave the webroot.
    if (file && name.find('/') == std::string::npos && name.find("..") == std::string::npos) {
      std::ostringstream content;
      content << file.rdbuf();
      body = content.str();
      status = 200;
    }
  }
  std::string response = "HTTP/1.1 " + std::to_string(status) +
                         (status == 200 ? " OK" : " Not Found") +
                         "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!::write(client, response.data(), response.size());
}

}  // namespace xmppcert::testing
