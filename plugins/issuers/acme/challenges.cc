#include "plugins/issuers/acme/challenges.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "agent/engine/base64url.h"
#include "agent/engine/errors.h"
#include "agent/engine/fs.h"
#include "agent/engine/process.h"

namespace xmppcert::acme {
namespace {
constexpr const char* kChallengePath = "/.well-known/acme-challenge/";
}

Http01Responder::Http01Responder(const std::string& address, int port) {
  std::string where = address + ":" + std::to_string(port);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1)
    throw UsageError("http-01 address \"" + address + "\" is not an IPv4 address");
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0) {
    int saved = errno;
    ::close(listener_);
    throw_operation_error("listen for http-01 on", where, errno_text(saved));
  }
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0)
    throw_operation_error("pipe for", "http-01 responder", errno_text(errno));
  thread_ = std::thread([this] { serve(); });
}

Http01Responder::~Http01Responder() {
  (void)!::write(stop_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void Http01Responder::serve() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
}

void Http01Responder::answer(int client) {
  // One request per connection, read with a short limit: the CA's validator is the only peer.
  std::string request;
  char buffer[2048];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
    pollfd pfd{client, POLLIN, 0};
    if (::poll(&pfd, 1, 5000) <= 0) return;
    ssize_t n = ::read(client, buffer, sizeof buffer);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
  }
  std::string body;
  int status = 404;
  size_t path_start = request.find(' ');
  size_t path_end = request.find(' ', path_start + 1);
  if (request.rfind("GET ", 0) == 0 && path_end != std::string::npos) {
    std::string path = request.substr(path_start + 1, path_end - path_start - 1);
    if (path.rfind(kChallengePath, 0) == 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = answers_.find(path.substr(std::string(kChallengePath).size()));
      if (it != answers_.end()) {
        status = 200;
        body = it->second;
      }
    }
  }
  std::string response =
      "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
      "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  (void)!::send(client, response.data(), response.size(), MSG_NOSIGNAL);
}

void Http01Responder::present(const std::string&, const std::string& token,
                              const std::string& key_authorization) {
  std::lock_guard<std::mutex> lock(mutex_);
  answers_[token] = key_authorization;
}

void Http01Responder::cleanup(const std::string&, const std::string& token, const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  answers_.erase(token);
}

void WebrootWriter::present(const std::string&, const std::string& token,
                            const std::string& key_authorization) {
  fs::path dir = fs::path(webroot_) / ".well-known" / "acme-challenge";
  create_directories(dir, 0755);
  write_file_atomically(dir / token, key_authorization, with_mode(0644));
}

void WebrootWriter::cleanup(const std::string&, const std::string& token, const std::string&) {
  std::error_code ec;
  fs::remove(fs::path(webroot_) / ".well-known" / "acme-challenge" / token, ec);
}

void Rfc2136Update::update(const std::string& line) {
  std::vector<std::string> argv{"nsupdate"};
  if (!key_file_.empty()) argv.insert(argv.end(), {"-k", key_file_});
  run_command_checked(argv, "RFC 2136 update at " + server_ + ":" + std::to_string(port_),
                      "server " + server_ + " " + std::to_string(port_) + "\n" + line + "\nsend\n");
}

void Rfc2136Update::present(const std::string& domain, const std::string&,
                            const std::string& key_authorization) {
  update("update add _acme-challenge." + domain + ". 60 TXT \"" +
         Dns01Hook::txt_value(key_authorization) + "\"");
}

void Rfc2136Update::cleanup(const std::string& domain, const std::string&,
                            const std::string& key_authorization) {
  update("update delete _acme-challenge." + domain + ". TXT \"" +
         Dns01Hook::txt_value(key_authorization) + "\"");
}

std::string Dns01Hook::txt_value(const std::string& key_authorization) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(key_authorization.data(), key_authorization.size(), digest, &length, EVP_sha256(),
             nullptr);
  return base64url_encode(std::string(reinterpret_cast<char*>(digest), length));
}

void Dns01Hook::present(const std::string& domain, const std::string&,
                        const std::string& key_authorization) {
  std::vector<std::string> argv = argv_;
  argv.insert(argv.end(), {"add", "_acme-challenge." + domain + ".", txt_value(key_authorization)});
  run_command_checked(argv, "dns-01 hook");
}

void Dns01Hook::cleanup(const std::string& domain, const std::string&,
                        const std::string& key_authorization) {
  std::vector<std::string> argv = argv_;
  argv.insert(argv.end(), {"del", "_acme-challenge." + domain + ".", txt_value(key_authorization)});
  run_command_checked(argv, "dns-01 hook");
}

}  // namespace xmppcert::acme
