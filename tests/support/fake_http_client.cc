#include "tests/support/fake_http_client.h"

#include "engine/errors.h"

namespace xmppcert::testing {

HttpResponse FakeHttpClient::get(const std::string& url) { return answer({"GET", url, "", ""}); }

HttpResponse FakeHttpClient::head(const std::string& url) { return answer({"HEAD", url, "", ""}); }

HttpResponse FakeHttpClient::post(const std::string& url, const std::string& body,
                                  const std::string& content_type) {
  return answer({"POST", url, body, content_type});
}

void FakeHttpClient::then(FakeHttpAnswer answer) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(answer));
}

std::vector<HttpRequestSeen> FakeHttpClient::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> FakeHttpClient::request_lines() const {
  std::vector<std::string> lines;
  for (const auto& request : requests()) lines.push_back(request.method + " " + request.url);
  return lines;
}

HttpResponse FakeHttpClient::answer(HttpRequestSeen request) {
  std::lock_guard lock(mutex_);
  const std::string method = request.method, url = request.url;
  requests_.push_back(std::move(request));
  if (script_.empty() || script_.front().drop) {
    if (!script_.empty()) script_.pop_front();
    throw_operation_error(method, url, "connection dropped (fake)");
  }
  FakeHttpAnswer next = std::move(script_.front());
  script_.pop_front();
  HttpResponse response;
  response.status = next.status;
  for (auto& [name, value] : next.headers) response.headers.emplace(name, value);
  response.body = std::move(next.body);
  return response;
}

}  // namespace xmppcert::testing
