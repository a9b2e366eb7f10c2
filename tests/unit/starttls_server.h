// A loopback XMPP listener for probe tests: answers the stream header with features, then
// STARTTLS with <proceed/> and a TLS handshake serving the given certificate, or misbehaves
// as told. It records the `to` and SNI each connection asked for.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace xmppcert::testing {

struct StartTlsBehaviour {
  std::string cert_pem;  // leaf then chain
  std::string key_pem;
  bool offer_starttls = true;
  std::string stream_error;  // e.g. "host-unknown": sent instead of the features
};

class StartTlsServer {
 public:
  explicit StartTlsServer(StartTlsBehaviour behaviour);
  ~StartTlsServer();
  int port() const { return port_; }
  void set_behaviour(StartTlsBehaviour behaviour);
  std::string last_sni();
  std::string last_stream_header();

 private:
  void serve();
  void answer(int fd);
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  StartTlsBehaviour behaviour_;
  std::string sni_;
  std::string header_;
  std::thread thread_;
};

}  // namespace xmppcert::testing
