// The TCP side the built-in challenge responders share (http-01, tls-alpn-01): bind at
// once, so a busy port is reported before any order is placed; hand each connection to a
// handler on a thread of its own; stop promptly on destruction.
//
// Anyone can connect. A client that sends nothing, or one byte every few seconds, must not
// hold the responder (and with it the run and the state lock): every connection has an
// overall deadline, after which its socket is shut down under the handler, and at most
// kMaxConnections are served at once (more are closed at accept).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace xmppcert::acme {

class ChallengeListener {
 public:
  static constexpr int kMaxConnections = 32;
  static constexpr std::chrono::seconds kConnectionDeadline{5};

  // `handle` gets each accepted socket, with a 5 s receive timeout, and must not close it.
  // `what` names the responder in errors ("http-01").
  ChallengeListener(const std::string& what, const std::string& address, int port,
                    std::function<void(int client)> handle);
  ~ChallengeListener();
  ChallengeListener(const ChallengeListener&) = delete;
  ChallengeListener& operator=(const ChallengeListener&) = delete;

 private:
  void serve();
  void serve_one(int client);
  void shut_down_overdue(bool all);
  std::function<void(int)> handle_;
  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
  std::mutex mutex_;
  std::map<int, std::chrono::steady_clock::time_point> open_;  // socket -> deadline
  std::map<int, std::thread> workers_;                         // socket -> its thread
  std::vector<std::thread> finished_;                          // to join
};

}  // namespace xmppcert::acme
