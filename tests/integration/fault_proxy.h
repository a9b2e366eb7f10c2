// An HTTPS proxy on 127.0.0.1 in front of pebble that can break one kind of request: answer
// 500, drop the connection, or swap the downloaded certificate for one of another key.
// URLs in bodies and Location/Link headers are rewritten so the client keeps using the proxy.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <string>
#include <thread>

namespace xmppcert::testing {

enum class Fault { kNone, kServerError, kDrop, kForeignCertificate };

class FaultProxy {
 public:
  // `upstream` like "https://localhost:14000"; TLS with `cert_file`/`key_file`.
  FaultProxy(std::string upstream, std::string trust_file, const std::string& cert_file,
             const std::string& key_file);
  ~FaultProxy();
  std::string base_url() const { return "https://localhost:" + std::to_string(port_); }
  // Break requests whose path contains `path_part` (e.g. "/finalize/", "/certZ/").
  void set_fault(Fault fault, std::string path_part);
  void set_foreign_certificate(std::string pem) { foreign_pem_ = std::move(pem); }

 private:
  void serve();
  void handle(int fd);
  std::string upstream_;
  std::string trust_file_;
  std::string foreign_pem_;
  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<Fault> fault_{Fault::kNone};
  std::string path_part_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace xmppcert::testing
