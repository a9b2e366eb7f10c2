// `openssl s_server -WWW` serving the files under a folder (a webroot) over HTTPS on a free
// 127.0.0.1 port, with a self-signed certificate it makes for itself: the POSH documents are
// fetched from it the way a peer fetches them (RFC 7711). Stopped by the destructor.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

class HttpsFileServer {
 public:
  // Creates `webroot` if missing.
  explicit HttpsFileServer(const std::filesystem::path& webroot);
  ~HttpsFileServer();
  // "https://127.0.0.1:PORT" + path ("/.well-known/posh/xmpp-server.json").
  std::string url(const std::string& path) const;
  // Its certificate (subjectAltName IP:127.0.0.1), to trust it.
  std::filesystem::path cert_file() const { return dir_ / "cert.pem"; }

 private:
  TempDir dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace xmppcert::testing
