// A loopback web server with a webroot, for ACME clients that only write http-01 token files
// (uacme through its hook, dehydrated into WELLKNOWN): GET /.well-known/acme-challenge/NAME
// answers the file NAME of the webroot directory, 404 when there is none. Listens on
// 127.0.0.1:PORT (the CA's validation port) until the destructor.
#pragma once

#include <filesystem>
#include <thread>

namespace xmppcert::testing {

class WebrootServer {
 public:
  WebrootServer(int port, std::filesystem::path webroot);
  ~WebrootServer();
  WebrootServer(const WebrootServer&) = delete;
  WebrootServer& operator=(const WebrootServer&) = delete;

 private:
  void serve();
  void answer(int client);
  std::filesystem::path webroot_;
  int listener_ = -1;
  std::thread thread_;
};

}  // namespace xmppcert::testing
