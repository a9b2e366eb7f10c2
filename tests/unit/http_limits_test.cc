// Issue 12 #10: a CA streamed a directory until root held 1 GB; plain http was accepted for
// some URLs.
#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/http.h"
#include "tests/unit/scripted_http_server.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(HttpLimits, ABodyBeyondTheCapIsAnErrorNamingTheUrl) {
  ScriptedHttpServer server({{200, {}, std::string((4 << 20) + 1, 'x')}});
  CurlHttpClient client;
  std::string error = error_message_of<OperationError>([&] { client.get(server.url("/directory")); });
  EXPECT_NE(error.find("larger than"), std::string::npos) << error;
  EXPECT_NE(error.find("/directory"), std::string::npos) << error;
}

TEST(HttpLimits, HugeHeadersAreAnError) {
  std::vector<std::string> headers;
  for (int i = 0; i < 100; ++i)
    headers.push_back("X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'y'));
  ScriptedHttpServer server({{200, headers, "{}"}});
  CurlHttpClient client;
  EXPECT_NE(error_message_of<OperationError>([&] { client.get(server.url("/")); }).find("headers larger"),
            std::string::npos);
}

TEST(HttpLimits, ABodyWithinTheCapIsReturned) {
  ScriptedHttpServer server({{200, {}, std::string(100000, 'x')}});
  CurlHttpClient client;
  EXPECT_EQ(client.get(server.url("/")).body.size(), 100000u);
}

TEST(HttpLimits, PlainHttpIsOnlyForLoopback) {
  EXPECT_NE(error_message_of<OperationError>([] { require_secure_url("http://acme.example/directory"); }), "");
  EXPECT_NE(error_message_of<OperationError>([] { require_secure_url("http://127.0.0.1@evil.example/"); }), "");
  EXPECT_NE(error_message_of<OperationError>([] { require_secure_url("ftp://127.0.0.1/"); }), "");
  EXPECT_EQ(error_message_of<OperationError>([] { require_secure_url("http://127.0.0.1:14000/dir"); }), "");
  EXPECT_EQ(error_message_of<OperationError>([] { require_secure_url("http://[::1]:80/dir"); }), "");
  EXPECT_EQ(error_message_of<OperationError>([] { require_secure_url("https://acme.example/dir"); }), "");
}

}  // namespace
}  // namespace xmppcert::testing
