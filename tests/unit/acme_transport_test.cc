// The ACME transport's retries and typed errors, against a scripted FakeHttpClient (no
// socket: CurlHttpClient itself is tested in http_test.cc). Its waits (backoff, Retry-After)
// pass on a FakeClock: the tests read them instead of waiting.
#include <gtest/gtest.h>

#include "engine/encoding.h"
#include "engine/keys.h"
#include "plugins/issuers/acme/transport.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_http_client.h"

namespace xmppcert::acme {
namespace {

using std::chrono::milliseconds;
using testing::FakeHttpAnswer;
using testing::FakeHttpClient;
using testing::HttpRequestSeen;

const std::string kBase = "https://ca.test";
const FakeHttpAnswer kDirectory{
    200, {}, R"({"newNonce": "https://ca.test/nonce", "newOrder": "https://ca.test/order"})"};
const FakeHttpAnswer kNonce{200, {{"replay-nonce", "n0"}}, ""};

FakeHttpAnswer problem(long status, const std::string& type,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("content-type", "application/problem+json");
  return {status, headers,
          R"({"type":"urn:ietf:params:acme:error:)" + type + R"(","detail":"said the CA"})"};
}

class AcmeTransport : public ::testing::Test {
 protected:
  PKeyPtr key_ = generate_private_key(KeyType::kEcP256);
  testing::FakeClock clock_;
};

TEST_F(AcmeTransport, DirectoryFetchIsRetriedAfterServerErrors) {
  FakeHttpClient http({{500, {}, "oops"}, {503, {}, "busy"}, kDirectory});
  Transport transport(kBase + "/dir", http, clock_);
  EXPECT_EQ(transport.endpoint("newOrder"), kBase + "/order");
  EXPECT_EQ(http.requests().size(), 3u);
  EXPECT_EQ(clock_.slept(), milliseconds(1000 + 2000)) << "1 s, then 2 s";
}

TEST_F(AcmeTransport, PersistentServerErrorsFailAfterThreeAttemptsNamingTheUrl) {
  FakeHttpClient http({{500, {}, ""}, {500, {}, ""}, {500, {}, ""}, kDirectory});
  Transport transport(kBase + "/dir", http, clock_);
  try {
    transport.directory();
    FAIL();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find(kBase + "/dir"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("HTTP 500"), std::string::npos) << e.what();
  }
  EXPECT_EQ(http.requests().size(), 3u);
}

TEST_F(AcmeTransport, DroppedConnectionsAreRetriedThenReported) {
  FakeHttpAnswer drop;
  drop.drop = true;
  FakeHttpClient http({drop, drop, drop});
  Transport transport(kBase + "/dir", http, clock_);
  try {
    transport.directory();
    FAIL();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("after 3 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(clock_.sleeps(), 2) << "none after the last attempt";
}

TEST_F(AcmeTransport, BadNonceIsRetriedWithTheNonceTheErrorCarried) {
  FakeHttpClient http({kDirectory,
                       kNonce,
                       problem(400, "badNonce", {{"replay-nonce", "n1"}}),
                       {201, {{"replay-nonce", "n2"}, {"location", kBase + "/order/1"}}, "{}"}});
  Transport transport(kBase + "/dir", http, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  HttpResponse r =
      transport.post(transport.endpoint("newOrder"), {{"identifiers", nlohmann::json::array()}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(transport.bad_nonce_retries(), 1);
  // One HEAD for the first nonce; the retry used the nonce from the error, no second HEAD.
  EXPECT_EQ(http.request_lines(),
            (std::vector<std::string>{"GET " + kBase + "/dir", "HEAD " + kBase + "/nonce",
                                      "POST " + kBase + "/order", "POST " + kBase + "/order"}));
  auto requests = http.requests();
  EXPECT_EQ(requests[2].content_type, "application/jose+json");
  auto nonce_of = [](const HttpRequestSeen& request) {
    auto jws = nlohmann::json::parse(request.body);
    return nlohmann::json::parse(
               base64url_decode(jws["protected"].get<std::string>(), "protected"))["nonce"]
        .get<std::string>();
  };
  EXPECT_EQ(nonce_of(requests[2]), "n0");
  EXPECT_EQ(nonce_of(requests[3]), "n1") << "the nonce the badNonce error carried";
}

TEST_F(AcmeTransport, RateLimitedWithAShortRetryAfterIsRetriedOnce) {
  FakeHttpClient http({kDirectory,
                       kNonce,
                       problem(429, "rateLimited", {{"retry-after", "1"}, {"replay-nonce", "n1"}}),
                       {201, {{"replay-nonce", "n2"}}, "{}"}});
  Transport transport(kBase + "/dir", http, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  EXPECT_EQ(transport.post(transport.endpoint("newOrder"), nlohmann::json::object()).status, 201);
  EXPECT_EQ(clock_.slept(), milliseconds(1000)) << "the Retry-After";
}

TEST_F(AcmeTransport, RateLimitedWithALongRetryAfterFailsAtOnce) {
  FakeHttpClient http({kDirectory, kNonce, problem(429, "rateLimited", {{"retry-after", "3600"}})});
  Transport transport(kBase + "/dir", http, clock_);
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
  FakeHttpClient http({kDirectory, kNonce, problem(403, "unauthorized")});
  Transport transport(kBase + "/dir", http, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  try {
    transport.post(transport.endpoint("newOrder"), nlohmann::json::object());
    FAIL();
  } catch (const ProblemError& e) {
    std::string message = e.what();
    EXPECT_EQ(e.type(), "unauthorized");
    EXPECT_NE(message.find(kBase + "/order"), std::string::npos) << message;
    EXPECT_NE(message.find("said the CA"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST_F(AcmeTransport, EndlessBadNoncesAreBounded) {
  std::deque<FakeHttpAnswer> script{kDirectory, kNonce};
  for (int i = 0; i < 20; ++i) script.push_back(problem(400, "badNonce", {{"replay-nonce", "n"}}));
  FakeHttpClient http(script);
  Transport transport(kBase + "/dir", http, clock_);
  transport.set_account(key_.get(), std::string("kid"));
  EXPECT_THROW(transport.post(transport.endpoint("newOrder"), nlohmann::json::object()),
               ProblemError);
  EXPECT_EQ(transport.bad_nonce_retries(), 10);
}

}  // namespace
}  // namespace xmppcert::acme
