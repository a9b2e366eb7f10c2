// The ACME transport's retries and typed errors, against a scripted loopback server. Its
// waits (backoff, Retry-After) pass on a FakeClock: the tests read them instead of waiting.
#include <gtest/gtest.h>

#include "engine/keys.h"
#include "plugins/issuers/acme/transport.h"
#include "tests/support/fake_clock.h"
#include "tests/unit/scripted_http_server.h"

namespace xmppcert::acme {
namespace {

using std::chrono::milliseconds;
using testing::ScriptedHttpServer;
using testing::ScriptedResponse;

const char* kProblem = "Content-Type: application/problem+json";
const ScriptedResponse kDirectory{
    200, {}, R"({"newNonce": "{{BASE}}/nonce", "newOrder": "{{BASE}}/order"})"};
const ScriptedResponse kNonce{200, {"Replay-Nonce: n0"}, ""};

ScriptedResponse problem(int status, const std::string& type,
                         std::vector<std::string> headers = {}) {
  headers.push_back(kProblem);
  return {status, headers,
          R"({"type":"urn:ietf:params:acme:error:)" + type + R"(","detail":"said the CA"})"};
}

class AcmeTransport : public ::testing::Test {
 protected:
  PKeyPtr key_ = generate_private_key(KeyType::kEcP256);
  testing::FakeClock clock_;
};

TEST_F(AcmeTransport, DirectoryFetchIsRetriedAfterServerErrors) {
  ScriptedHttpServer server({{500, {}, "oops"}, {503, {}, "busy"}, kDirectory});
  Transport transport(server.url("/dir"), {}, clock_);
  EXPECT_EQ(transport.endpoint("newOrder"), server.url("/order"));
  EXPECT_EQ(server.request_lines().size(), 3u);
  EXPECT_EQ(clock_.slept(), milliseconds(1000 + 2000)) << "1 s, then 2 s";
}

TEST_F(AcmeTransport, PersistentServerErrorsFailAfterThreeAttemptsNamingTheUrl) {
  ScriptedHttpServer server({{500, {}, ""}, {500, {}, ""}, {500, {}, ""}, kDirectory});
  Transport transport(server.url("/dir"), {}, clock_);
  try {
    transport.directory();
    FAIL();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find(server.url("/dir")), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("HTTP 500"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.request_lines().size(), 3u);
}

TEST_F(AcmeTransport, DroppedConnectionsAreRetriedThenReported) {
  ScriptedResponse drop;
  drop.drop = true;
  ScriptedHttpServer server({drop, drop, drop});
  Transport transport(server.url("/dir"), {}, clock_);
  try {
    transport.directory();
    FAIL();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("after 3 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(clock_.sleeps(), 2) << "none after the last attempt";
}

TEST_F(AcmeTransport, BadNonceIsRetriedWithTheNonceTheErrorCarried) {
  ScriptedHttpServer server({kDirectory,
                             kNonce,
                             problem(400, "badNonce", {"Replay-Nonce: n1"}),
                             {201, {"Replay-Nonce: n2", "Location: {{BASE}}/order/1"}, "{}"}});
  Transport transport(server.url("/dir"), {}, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  HttpResponse r =
      transport.post(transport.endpoint("newOrder"), {{"identifiers", nlohmann::json::array()}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(transport.bad_nonce_retries(), 1);
  // One HEAD for the first nonce; the retry used the nonce from the error, no second HEAD.
  EXPECT_EQ(server.request_lines(),
            (std::vector<std::string>{"GET /dir", "HEAD /nonce", "POST /order", "POST /order"}));
}

TEST_F(AcmeTransport, RateLimitedWithAShortRetryAfterIsRetriedOnce) {
  ScriptedHttpServer server({kDirectory,
                             kNonce,
                             problem(429, "rateLimited", {"Retry-After: 1", "Replay-Nonce: n1"}),
                             {201, {"Replay-Nonce: n2"}, "{}"}});
  Transport transport(server.url("/dir"), {}, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  EXPECT_EQ(transport.post(transport.endpoint("newOrder"), nlohmann::json::object()).status, 201);
  EXPECT_EQ(clock_.slept(), milliseconds(1000)) << "the Retry-After";
}

TEST_F(AcmeTransport, RateLimitedWithALongRetryAfterFailsAtOnce) {
  ScriptedHttpServer server(
      {kDirectory, kNonce, problem(429, "rateLimited", {"Retry-After: 3600"})});
  Transport transport(server.url("/dir"), {}, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  try {
    transport.post(transport.endpoint("newOrder"), nlohmann::json::object());
    FAIL();
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.type(), "rateLimited");
  }
  EXPECT_EQ(clock_.sleeps(), 0);
}

TEST_F(AcmeTransport, OtherProblemsBecomeTypedOneLineErrorsWithUrlAndDetail) {
  ScriptedHttpServer server({kDirectory, kNonce, problem(403, "unauthorized")});
  Transport transport(server.url("/dir"), {}, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  try {
    transport.post(transport.endpoint("newOrder"), nlohmann::json::object());
    FAIL();
  } catch (const ProblemError& e) {
    std::string message = e.what();
    EXPECT_EQ(e.type(), "unauthorized");
    EXPECT_NE(message.find(server.url("/order")), std::string::npos) << message;
    EXPECT_NE(message.find("said the CA"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST_F(AcmeTransport, EndlessBadNoncesAreBounded) {
  std::deque<ScriptedResponse> script{kDirectory, kNonce};
  for (int i = 0; i < 20; ++i) script.push_back(problem(400, "badNonce", {"Replay-Nonce: n"}));
  ScriptedHttpServer server(script);
  Transport transport(server.url("/dir"), {}, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  EXPECT_THROW(transport.post(transport.endpoint("newOrder"), nlohmann::json::object()),
               ProblemError);
  EXPECT_EQ(transport.bad_nonce_retries(), 10);
}

}  // namespace
}  // namespace xmppcert::acme
