// A loopback HTTP/1.1 server for transport tests: answers each request with the next
// scripted response (or drops the connection), and records what it was asked. "{{BASE}}" in
// a body or header becomes the server's own http://127.0.0.1:PORT.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xmppcert::testing {

struct ScriptedResponse {
  int status = 200;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  bool drop = false;  // close the connection without answering
};

class ScriptedHttpServer {
 public:
  explicit ScriptedHttpServer(std::deque<ScriptedResponse> script);
  ~ScriptedHttpServer();
  std::string url(const std::string& path) const;
  std::vector<std::string> request_lines();  // "POST /path", in order
  std::vector<std::string> request_bodies();

 private:
  void serve();
  int listener_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::deque<ScriptedResponse> script_;
  std::vector<std::string> requests_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

}  // namespace xmppcert::testing
