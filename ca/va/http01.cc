// The http-01 fetch, a Beast client: async operations run until the validation's deadline on
// an io_context of their own, so a peer that accepts and then trickles or stays silent
// cannot hold a validation.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ca/problem.h"
#include "ca/va/validator.h"

namespace xmppcert::ca {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string http01_fetch(const std::string& address, int port, const std::string& host,
                         const std::string& path, Deadline deadline) {
  const std::string where = host + " (" + address + ":" + std::to_string(port) + ")";
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::empty_body> request{http::verb::get, path, 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "xmppcert-ca validation");
  request.set(http::field::connection, "close");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  beast::error_code failure;
  std::string stage = "connect to";

  boost::system::error_code parse_error;
  auto ip = asio::ip::make_address(address, parse_error);
  if (parse_error) throw AcmeProblem("connection", "bad address " + address + " for " + host);
  stream.expires_at(deadline);
  stream.async_connect(asio::ip::tcp::endpoint(ip, static_cast<unsigned short>(port)),
                       [&](beast::error_code ec) {
                         if (ec) {
                           failure = ec;
                           return;
                         }
                         stage = "send request to";
                         http::async_write(stream, request, [&](beast::error_code ec, size_t) {
                           if (ec) {
                             failure = ec;
                             return;
                           }
                           stage = "read response from";
                           http::async_read(stream, buffer, parser,
                                            [&](beast::error_code ec, size_t) { failure = ec; });
                         });
                       });
  io.run();
  if (failure)
    throw AcmeProblem("connection", "http-01: " + stage + " " + where + ": " + failure.message());
  auto& response = parser.get();
  if (response.result_int() != 200)
    throw AcmeProblem("unauthorized", "http-01: " + where + " answered " + path + " with HTTP " +
                                          std::to_string(response.result_int()));
  return response.body();
}

}  // namespace xmppcert::ca
