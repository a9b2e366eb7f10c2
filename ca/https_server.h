// The ACME server's transport: HTTPS (TLS 1.2+) with Boost.Beast over Asio, one coroutine
// per connection on a few threads, keep-alive, request bodies capped at 1 MiB, 30 s to
// send a request. The only translation unit with Beast's server templates.
#pragma once

#include <string>

#include "ca/web.h"

namespace xmppcert::ca {

struct HttpsServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;
  std::string cert_file;  // PEM chain
  std::string key_file;
  int threads = 8;
};

// Serves until SIGTERM or SIGINT; throws OperationError when it cannot listen.
void serve_https(const HttpsServerOptions& options, const WebHandler& handler);

}  // namespace xmppcert::ca
