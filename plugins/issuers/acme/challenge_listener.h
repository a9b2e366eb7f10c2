// The TCP side the built-in challenge responders share (http-01, tls-alpn-01): bind at
// once, so a busy port is reported before any order is placed; hand each connection to a
// handler on one thread; stop promptly on destruction.
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace xmppcert::acme {

class ChallengeListener {
 public:
  // `handle` gets each accepted socket, with a 5 s receive timeout, and must not close it.
  // `what` names the responder in errors ("http-01").
  ChallengeListener(const std::string& what, const std::string& address, int port,
                    std::function<void(int client)> handle);
  ~ChallengeListener();
  ChallengeListener(const ChallengeListener&) = delete;
  ChallengeListener& operator=(const ChallengeListener&) = delete;

 private:
  void serve();
  std::function<void(int)> handle_;
  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace xmppcert::acme
