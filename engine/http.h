// HTTP: the HttpClient interface and CurlHttpClient, HTTP over libcurl. One CurlHttpClient
// keeps one easy handle, so consecutive requests to the same server reuse the connection (an
// issuer does a dozen round trips per certificate). Code a test drives without sockets takes
// an HttpClient& (an issuer's transport); tests pass a FakeHttpClient
// (tests/support/fake_http_client.h).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/errors.h"

namespace xmppcert {

struct HttpResponse {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::optional<std::string> header(const std::string& lower_name) const;
  // Link header targets with rel="<rel>" (RFC 8288), e.g. "up", "alternate", "index".
  std::vector<std::string> links(const std::string& rel) const;
};

// The server's TLS certificate did not verify against the trust in force (HttpOptions::
// ca_file, or the system's store): permanent, never worth a retry.
class HttpTrustError : public OperationError {
 public:
  explicit HttpTrustError(const std::string& message) : OperationError(message) {}
};

struct HttpOptions {
  std::string ca_file;  // trust only this PEM bundle (a private CA); empty: system store
  std::chrono::seconds timeout{30};
  std::vector<std::string> extra_headers;  // "Name: value", sent with every request
  // A bigger body or header block is an OperationError, not memory for whoever answers.
  size_t max_body = 4 << 20;
  size_t max_headers = 64 << 10;
  // false: no certificate check at all. Only for a body checked by other means (a root
  // fetched against a pinned SHA-256 given by the admin).
  bool verify_peer = true;
  // Set: the whole request within this time, connecting included (overrides `timeout`).
  std::chrono::milliseconds total_timeout{0};
  // "sha256//BASE64" of the server's public key (SPKI): only a server holding that key is
  // talked to, whatever its certificate says (the CA's notaries, ca/notary/).
  std::string pinned_public_key;
};

// The server is not trusted and the network between neither: https only, except plain http
// to a loopback address (a CA on this host, tests). An OperationError naming the URL else.
void require_secure_url(const std::string& url);

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Transport failures are OperationErrors naming the method and URL (HttpTrustError for a
  // certificate that does not verify); any HTTP status is returned as a response.
  virtual HttpResponse get(const std::string& url) = 0;
  virtual HttpResponse head(const std::string& url) = 0;
  virtual HttpResponse post(const std::string& url, const std::string& body,
                            const std::string& content_type) = 0;
};

class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(HttpOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  HttpResponse get(const std::string& url) override;
  HttpResponse head(const std::string& url) override;
  HttpResponse post(const std::string& url, const std::string& body,
                    const std::string& content_type) override;

 private:
  HttpResponse perform(const std::string& method, const std::string& url, const std::string* body,
                       const std::string& content_type);
  HttpOptions options_;
  void* curl_;
};

}  // namespace xmppcert
