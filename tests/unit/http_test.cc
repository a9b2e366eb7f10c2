#include "engine/http.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "tests/unit/scripted_http_server.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::ScriptedHttpServer;

TEST(HttpClient, ReturnsStatusLowerCaseHeadersAndBody) {
  ScriptedHttpServer server({{201, {"X-Thing: Value", "Content-Type: text/plain"}, "hello"}});
  CurlHttpClient client;
  HttpResponse response = client.get(server.url("/a"));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.header("x-thing"), "Value");
  EXPECT_EQ(response.header("missing"), std::nullopt);
  EXPECT_EQ(server.request_lines(), (std::vector<std::string>{"GET /a"}));
}

TEST(HttpClient, AnErrorStatusIsAResponseNotAnException) {
  ScriptedHttpServer server({{503, {}, "busy"}});
  CurlHttpClient client;
  EXPECT_EQ(client.get(server.url("/")).status, 503);
}

TEST(HttpClient, PostsTheBodyAndHeadSendsNone) {
  ScriptedHttpServer server({{200, {}, ""}, {200, {}, ""}});
  CurlHttpClient client({"", std::chrono::seconds(5), {"X-Extra: 1"}});
  client.post(server.url("/new"), "{\"a\":1}", "application/jose+json");
  client.head(server.url("/nonce"));
  EXPECT_EQ(server.request_lines(), (std::vector<std::string>{"POST /new", "HEAD /nonce"}));
  EXPECT_EQ(server.request_bodies().front(), "{\"a\":1}");
}

TEST(HttpClient, ADroppedConnectionIsAnOperationErrorNamingMethodAndUrl) {
  ScriptedHttpServer server({{200, {}, "", true}});
  CurlHttpClient client;
  std::string url = server.url("/gone");
  try {
    client.get(url);
    FAIL() << "no error";
  } catch (const OperationError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("GET " + url + ": ", 0), 0u) << e.what();
  }
}

TEST(HttpResponse, LinksAreTheTargetsWithTheRelationAsked) {
  HttpResponse response;
  response.headers.emplace("link", "<https://ca/dir>;rel=\"index\"");
  response.headers.emplace("link", "<https://ca/alt1>; rel=\"alternate\"");
  response.headers.emplace("link", "<https://ca/alt2>;rel=\"alternate\"");
  EXPECT_EQ(response.links("alternate"),
            (std::vector<std::string>{"https://ca/alt1", "https://ca/alt2"}));
  EXPECT_EQ(response.links("index"), (std::vector<std::string>{"https://ca/dir"}));
  EXPECT_TRUE(response.links("up").empty());
}

}  // namespace
}  // namespace xmppcert
