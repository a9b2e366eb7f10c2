// The ACME server's transport: HTTPS (TLS 1.2+) with Boost.Beast over Asio, one coroutine
// per connection on a few threads, keep-alive, request bodies capped at 1 MiB; 10 s for the
// TLS handshake, 20 s for each request (the wait for it included), connections capped in all
// and per client address (connection_limits.h). The accept loop outlives any accept error
// (EMFILE, ENFILE, ENOBUFS: logged, then it backs off and accepts again). The only
// translation unit with Beast's server templates.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <string>

#include "ca/wfe/connection_limits.h"
#include "ca/wfe/web.h"

namespace xmppcert::ca {

struct HttpsServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;
  std::string cert_file;  // PEM chain
  std::string key_file;
  EVP_PKEY* key = nullptr;  // set: this key (a PKCS#11 token's handle) instead of key_file
  int threads = 8;
  ConnectionCaps caps;  // zeros: from the descriptor limit
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds request_timeout{20};
};

// Serves until SIGTERM or SIGINT; throws OperationError when it cannot listen.
void serve_https(const HttpsServerOptions& options, const WebHandler& handler);

}  // namespace xmppcert::ca
