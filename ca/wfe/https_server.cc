#include "ca/wfe/https_server.h"

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

#include "engine/errors.h"
#include "engine/log.h"

namespace xmppcert::ca {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::use_awaitable;
using Stream = beast::ssl_stream<beast::tcp_stream>;

WebRequest to_web_request(const http::request<http::string_body>& request) {
  WebRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  if (auto query = out.target.find('?'); query != std::string::npos) {
    out.query = out.target.substr(query + 1);
    out.target.resize(query);
  }
  out.content_type = std::string(request[http::field::content_type]);
  if (auto semicolon = out.content_type.find(';'); semicolon != std::string::npos)
    out.content_type.resize(semicolon);
  out.body = request.body();
  return out;
}

http::response<http::string_body> to_http_response(WebResponse&& web, unsigned version,
                                                   bool keep_alive, bool head) {
  http::response<http::string_body> response{static_cast<http::status>(web.status), version};
  response.set(http::field::server, "xmppcert-ca");
  if (!web.body.empty() || web.status != 204)
    response.set(http::field::content_type, web.content_type);
  for (auto& [name, value] : web.headers) response.insert(name, value);
  if (!head) response.body() = std::move(web.body);  // HEAD: Content-Length 0, no body
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

asio::awaitable<void> session(Stream stream, const WebHandler& service,
                              const HttpsServerOptions& options,
                              [[maybe_unused]] std::unique_ptr<ConnectionLimits::Slot> slot) {
  try {
    beast::get_lowest_layer(stream).expires_after(options.handshake_timeout);
    co_await stream.async_handshake(ssl::stream_base::server, use_awaitable);
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(1024 * 1024);
      parser.header_limit(16 * 1024);
      beast::get_lowest_layer(stream).expires_after(options.request_timeout);
      co_await http::async_read(stream, buffer, parser, use_awaitable);
      auto request = parser.release();
      WebResponse web = service(to_web_request(request));
      auto response = to_http_response(std::move(web), request.version(), request.keep_alive(),
                                       request.method() == http::verb::head);
      beast::get_lowest_layer(stream).expires_after(options.request_timeout);
      co_await http::async_write(stream, response, use_awaitable);
      if (!response.keep_alive()) break;
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(use_awaitable);
  } catch (const std::exception&) {
    // Peers that go away, time out or fail the handshake: nothing to answer.
  }
}

asio::awaitable<void> accept_loop(asio::io_context& io, asio::ip::tcp::acceptor& acceptor,
                                  ssl::context& tls, const WebHandler& service,
                                  const HttpsServerOptions& options, ConnectionLimits& limits) {
  constexpr auto kFirstBackoff = std::chrono::milliseconds(10);
  constexpr auto kLastBackoff = std::chrono::milliseconds(1000);
  auto backoff = kFirstBackoff;
  asio::steady_timer pause(io);
  for (;;) {
    // A strand per connection: its timer and its I/O never run at once on two threads.
    boost::system::error_code error;
    asio::ip::tcp::socket socket = co_await acceptor.async_accept(
        asio::make_strand(io), asio::redirect_error(use_awaitable, error));
    if (error == asio::error::operation_aborted) co_return;  // stopping
    if (error) {
      // Out of descriptors (EMFILE/ENFILE), buffers, a connection reset before accept: the
      // pending connection stays queued; wait, then try again, for as long as it takes.
      if (backoff == kFirstBackoff)
        log_line("xmppcert-ca", "accept on " + options.address + ":" +
                                    std::to_string(options.port) + ": " + error.message() +
                                    "; retrying");
      pause.expires_after(backoff);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, error));
      backoff = std::min(backoff * 2,
                         std::chrono::duration_cast<std::chrono::milliseconds>(kLastBackoff));
      continue;
    }
    backoff = kFirstBackoff;
    auto peer = socket.remote_endpoint(error);
    auto slot = error ? nullptr : limits.admit(peer.address());
    if (!slot) continue;  // over a cap: closed now (the socket's destructor)
    auto executor = socket.get_executor();
    asio::co_spawn(executor,
                   session(Stream(std::move(socket), tls), service, options, std::move(slot)),
                   asio::detached);
  }
}

}  // namespace

void serve_https(const HttpsServerOptions& options, const WebHandler& service) {
  // Declared before the io_context: sessions it still holds at the end release their slots.
  rlimit fds{};
  ::getrlimit(RLIMIT_NOFILE, &fds);
  long fd_limit = fds.rlim_cur == RLIM_INFINITY ? 1L << 20 : static_cast<long>(fds.rlim_cur);
  ConnectionLimits limits(connection_caps_for_fd_limit(options.caps, fd_limit));
  ssl::context tls(ssl::context::tls_server);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code error;
  tls.use_certificate_chain_file(options.cert_file, error);
  if (error) throw_operation_error("load HTTPS certificate", options.cert_file, error.message());
  if (options.key) {
    if (SSL_CTX_use_PrivateKey(tls.native_handle(), options.key) != 1)
      throw_operation_error("use the HTTPS key of", options.cert_file, openssl_error_text());
  } else {
    tls.use_private_key_file(options.key_file, ssl::context::pem, error);
    if (error) throw_operation_error("load HTTPS key", options.key_file, error.message());
  }

  asio::io_context io(options.threads);
  asio::ip::tcp::acceptor acceptor(io);
  asio::ip::address address = asio::ip::make_address(options.address, error);
  if (error) throw UsageError("serve: --listen " + options.address + ": not an IP address");
  asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error)
    throw_operation_error("listen on", options.address + ":" + std::to_string(options.port),
                          error.message());

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  asio::co_spawn(io, accept_loop(io, acceptor, tls, service, options, limits), asio::detached);
  log_line("xmppcert-ca",
           "serving https on " + options.address + ":" + std::to_string(options.port) +
               " (at most " + std::to_string(limits.caps().total) + " connections, " +
               std::to_string(limits.caps().per_address) +
               " per client address; descriptor limit " + std::to_string(fd_limit) + ")");
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  log_line("xmppcert-ca", "stopped");
}

}  // namespace xmppcert::ca
