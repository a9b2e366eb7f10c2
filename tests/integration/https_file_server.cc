#include "tests/integration/https_file_server.h"

#include <unistd.h>

#include <stdexcept>

#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {

HttpsFileServer::HttpsFileServer(const std::filesystem::path& webroot) : port_(free_port()) {
  std::filesystem::create_directories(webroot);
  std::string key = (dir_ / "key.pem").string(), cert = (dir_ / "cert.pem").string();
  ProcessResult made =
      run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                   "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert});
  if (made.exit_code != 0)
    throw std::runtime_error("openssl req for the HTTPS server: " + made.err);
  std::string log = (dir_ / "s_server.log").string();
  pid_ = ::fork();
  if (pid_ == 0) {  // -WWW serves paths relative to the working directory
    ::setpgid(0, 0);
    if (::chdir(webroot.c_str()) != 0) ::_exit(126);
    FILE* out = std::fopen(log.c_str(), "w");
    if (out) {
      ::dup2(fileno(out), 1);
      ::dup2(fileno(out), 2);
    }
    std::string accept = "127.0.0.1:" + std::to_string(port_);
    ::execlp("openssl", "openssl", "s_server", "-quiet", "-WWW", "-accept", accept.c_str(), "-cert",
             cert.c_str(), "-key", key.c_str(), nullptr);
    ::_exit(127);
  }
  wait_for_port(port_, "openssl s_server", pid_);
}

HttpsFileServer::~HttpsFileServer() { stop_process(pid_); }

std::string HttpsFileServer::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace xmppcert::testing
