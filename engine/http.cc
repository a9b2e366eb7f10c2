#include "engine/http.h"

#include <algorithm>
#include <cctype>

#include "engine/curl_library.h"
#include "engine/errors.h"

namespace xmppcert {
namespace {

struct BodySink {
  std::string* body;
  size_t limit;
  bool overflowed = false;
};

struct HeaderSink {
  std::multimap<std::string, std::string>* headers;
  size_t limit;
  size_t seen = 0;
  bool overflowed = false;
};

// Returning less than given makes libcurl abort the transfer (CURLE_WRITE_ERROR).
size_t append_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * count > sink->limit) {
    sink->overflowed = true;
    return 0;
  }
  sink->body->append(data, size * count);
  return size * count;
}

size_t append_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  sink->seen += size * count;
  if (sink->seen > sink->limit) {
    sink->overflowed = true;
    return 0;
  }
  auto* headers = sink->headers;
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    size_t start = line.find_first_not_of(" \t", colon + 1);
    size_t end = line.find_last_not_of("\r\n \t");
    headers->emplace(
        name, start == std::string::npos || end < start ? "" : line.substr(start, end - start + 1));
  } else if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue or a redirect)
  }
  return size * count;
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

}  // namespace

void require_secure_url(const std::string& url) {
  std::string lower = url.substr(0, 8);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower.rfind("https://", 0) == 0) return;
  if (lower.rfind("http://", 0) == 0) {
    std::string rest = url.substr(7);
    std::string authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string::npos)
      throw_operation_error("refuse", url, "credentials in the URL");
    std::string host = authority[0] == '[' ? authority.substr(0, authority.find(']') + 1)
                                           : authority.substr(0, authority.find(':'));
    if (is_loopback_host(host)) return;
    throw_operation_error("refuse", url, "plain http to a host that is not loopback (use https)");
  }
  throw_operation_error("refuse", url, "not an https URL");
}

std::optional<std::string> HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> HttpResponse::links(const std::string& rel) const {
  std::vector<std::string> targets;
  auto [begin, end] = headers.equal_range("link");
  for (auto it = begin; it != end; ++it) {
    const std::string& value = it->second;
    size_t position = 0;
    while ((position = value.find('<', position)) != std::string::npos) {
      size_t close = value.find('>', position);
      if (close == std::string::npos) break;
      std::string target = value.substr(position + 1, close - position - 1);
      size_t next = value.find('<', close);
      std::string params =
          value.substr(close + 1, next == std::string::npos ? std::string::npos : next - close - 1);
      if (params.find("rel=\"" + rel + "\"") != std::string::npos ||
          params.find("rel=" + rel) != std::string::npos)
        targets.push_back(target);
      position = close + 1;
    }
  }
  return targets;
}

CurlHttpClient::CurlHttpClient(HttpOptions options) : options_(std::move(options)) {
  curl_ = curl_library().easy_init();
  if (!curl_) throw_operation_error("initialise", "libcurl", "curl_easy_init failed");
}

CurlHttpClient::~CurlHttpClient() { curl_library().easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse CurlHttpClient::get(const std::string& url) {
  return perform("GET", url, nullptr, "");
}
HttpResponse CurlHttpClient::head(const std::string& url) {
  return perform("HEAD", url, nullptr, "");
}
HttpResponse CurlHttpClient::post(const std::string& url, const std::string& body,
                                  const std::string& content_type) {
  return perform("POST", url, &body, content_type);
}

HttpResponse CurlHttpClient::perform(const std::string& method, const std::string& url,
                                     const std::string* body, const std::string& content_type) {
  const CurlLibrary& lib = curl_library();
  CURL* curl = static_cast<CURL*>(curl_);
  require_secure_url(url);
  lib.easy_reset(curl);  // keeps the connection cache
  HttpResponse response;
  BodySink body_sink{&response.body, options_.max_body};
  HeaderSink header_sink{&response.headers, options_.max_headers};
  lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (options_.total_timeout.count() > 0) {
    long ms = static_cast<long>(options_.total_timeout.count());
    lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms);
    lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(ms, 10000L));
  } else {
    lib.easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
    lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  }
  lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");  // http: loopback only, above
  lib.easy_setopt(curl, CURLOPT_USERAGENT, "xmppcert/" XMPPCERT_VERSION);
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &body_sink);
  lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
  lib.easy_setopt(curl, CURLOPT_HEADERDATA, &header_sink);
  if (!options_.ca_file.empty()) lib.easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.pinned_public_key.empty())
    lib.easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, options_.pinned_public_key.c_str());
  if (!options_.verify_peer) {
    lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  struct curl_slist* headers = nullptr;
  if (method == "HEAD") lib.easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (body) {
    lib.easy_setopt(curl, CURLOPT_POST, 1L);
    lib.easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    headers = lib.slist_append(headers, ("Content-Type: " + content_type).c_str());
  }
  for (const auto& header : options_.extra_headers)
    headers = lib.slist_append(headers, header.c_str());
  if (headers) lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = lib.easy_perform(curl);
  lib.slist_free_all(headers);
  if (body_sink.overflowed)
    throw_operation_error(
        method, url, "response body larger than " + std::to_string(options_.max_body) + " bytes");
  if (header_sink.overflowed)
    throw_operation_error(
        method, url,
        "response headers larger than " + std::to_string(options_.max_headers) + " bytes");
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
    throw HttpTrustError(describe_failure(
        method, url,
        "the server's TLS certificate is not trusted by " +
            (options_.ca_file.empty() ? std::string("the system's trust store")
                                      : options_.ca_file) +
            " (" + lib.easy_strerror(rc) + ")"));
  if (rc != CURLE_OK) throw_operation_error(method, url, lib.easy_strerror(rc));
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace xmppcert
