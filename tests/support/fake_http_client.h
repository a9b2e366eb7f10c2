// The HttpClient of the tests: no socket. Each request gets the next scripted answer in
// order: a response, or a dropped connection (the OperationError CurlHttpClient throws);
// every request is recorded. An exhausted script is a dropped connection too.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "engine/http.h"

namespace xmppcert::testing {

struct FakeHttpAnswer {
  long status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  bool drop = false;  // the connection dropped without an answer
};

struct HttpRequestSeen {
  std::string method;  // "GET", "HEAD", "POST"
  std::string url;
  std::string body;
  std::string content_type;
};

class FakeHttpClient : public HttpClient {
 public:
  explicit FakeHttpClient(std::deque<FakeHttpAnswer> script = {}) : script_(std::move(script)) {}

  HttpResponse get(const std::string& url) override;
  HttpResponse head(const std::string& url) override;
  HttpResponse post(const std::string& url, const std::string& body,
                    const std::string& content_type) override;

  void then(FakeHttpAnswer answer);
  std::vector<HttpRequestSeen> requests() const;
  std::vector<std::string> request_lines() const;  // "POST https://ca.test/order", in order

 private:
  HttpResponse answer(HttpRequestSeen request);

  mutable std::mutex mutex_;
  std::deque<FakeHttpAnswer> script_;
  std::vector<HttpRequestSeen> requests_;
};

}  // namespace xmppcert::testing
