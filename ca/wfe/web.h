// One HTTP exchange as the ACME logic sees it, independent of the HTTP library: what the
// HTTPS server (https_server.cc) hands to the service and sends back.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace xmppcert::ca {

struct WebRequest {
  std::string method;        // "GET", "HEAD", "POST"
  std::string target;        // the path, query removed
  std::string query;         // after '?', as sent (percent-encoded)
  std::string content_type;  // media type, parameters removed
  std::string body;
};

struct WebResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using WebHandler = std::function<WebResponse(const WebRequest&)>;

}  // namespace xmppcert::ca
