#include "tests/unit/scripted_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

ScriptedHttpServer::ScriptedHttpServer(std::deque<ScriptedResponse> script)
    : script_(std::move(script)) {
  listener_ = listen_on_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  if (thread_.joinable()) thread_.join();
}

std::string ScriptedHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> ScriptedHttpServer::request_bodies() {
  std::lock_guard<std::mutex> lock(mutex_);
  return bodies_;
}

std::vector<std::string> ScriptedHttpServer::request_lines() {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void ScriptedHttpServer::serve() {
  for (;;) {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    // Keep-alive: answer requests on this connection until the script or the peer ends it.
    for (;;) {
      std::string request;
      char buffer[4096];
      size_t header_end;
      while ((header_end = request.find("\r\n\r\n")) == std::string::npos) {
        pollfd pfd{client, POLLIN, 0};
        if (::poll(&pfd, 1, 5000) <= 0) break;
        ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      if (header_end == std::string::npos) break;
      size_t length_at = request.find("Content-Length: ");
      size_t body_length =
          length_at == std::string::npos ? 0 : std::stoul(request.substr(length_at + 16));
      while (request.size() < header_end + 4 + body_length) {
        ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      ScriptedResponse response;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string line = request.substr(0, request.find(" HTTP/"));
        requests_.push_back(line);
        bodies_.push_back(request.substr(header_end + 4));
        if (script_.empty())
          response = {500, {}, "script exhausted"};
        else {
          response = script_.front();
          script_.pop_front();
        }
      }
      if (response.drop) break;
      auto expand = [&](std::string text) {
        for (size_t at; (at = text.find("{{BASE}}")) != std::string::npos;)
          text.replace(at, 8, url(""));
        return text;
      };
      response.body = expand(response.body);
      for (auto& header : response.headers) header = expand(header);
      std::string text = "HTTP/1.1 " + std::to_string(response.status) +
                         " X\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
      for (const auto& header : response.headers) text += header + "\r\n";
      text += "\r\n" + response.body;
      (void)!::write(client, text.data(), text.size());
    }
    ::close(client);
  }
}

}  // namespace xmppcert::testing
