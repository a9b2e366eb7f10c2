#include "plugins/issuers/acme/pinned_root.h"

#include <openssl/x509v3.h>

#include <cctype>

#include "engine/certificate.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/http.h"
#include "engine/log.h"

namespace xmppcert::acme {
namespace {

constexpr const char* kRootFile = "root.pem";
constexpr size_t kRootLimit = 64 << 10;  // one certificate in PEM: a few KB

// The digest of `pem` if it is exactly one self-signed CA certificate; `origin` names it.
std::string checked_root_digest(const std::string& pem, const std::string& origin) {
  std::vector<X509Ptr> certs = parse_certificate_chain(pem, origin);
  if (certs.size() != 1)
    throw_operation_error("check foundation root from", origin,
                          "expected one certificate, got " + std::to_string(certs.size()));
  X509* root = certs.front().get();
  if (X509_check_ca(root) < 1 || X509_check_issued(root, root) != X509_V_OK)
    throw_operation_error("check foundation root from", origin, "not a self-signed CA certificate");
  return hex_encode(sha256_digest(root));
}

}  // namespace

std::string normalized_sha256(const std::string& text, const std::string& where) {
  std::string digits;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      throw UsageError(where + ": expected a SHA-256 fingerprint (64 hex digits), got \"" + text +
                       "\"");
    digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (digits.size() != 64)
    throw UsageError(where + ": expected a SHA-256 fingerprint (64 hex digits), got " +
                     std::to_string(digits.size()) + " digits");
  return digits;
}

std::string root_url_for(const AcmeSettings& settings) {
  if (!settings.root_url.empty()) return settings.root_url;
  const std::string& directory = settings.directory;
  size_t scheme_end = directory.find("://");
  size_t path_start = directory.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_start == std::string::npos) return directory + "/" + kRootFile;
  return directory.substr(0, directory.rfind('/') + 1) + kRootFile;
}

std::string pinned_root_pem(const AcmeSettings& settings,
                            const std::filesystem::path& account_dir) {
  std::filesystem::path file = account_dir / kRootFile;
  std::error_code missing;
  if (std::filesystem::is_regular_file(file, missing)) {
    try {
      std::string pem = read_file(file);
      if (checked_root_digest(pem, file.string()) == settings.root_sha256) return pem;
    } catch (const OperationError&) {
      // unreadable or not a root: fetched again below
    }
  }
  std::string url = root_url_for(settings);
  require_secure_url(url);
  HttpOptions options;
  options.verify_peer = false;  // the pin below is the check; see the header
  options.max_body = kRootLimit;
  HttpResponse response = CurlHttpClient(options).get(url);
  if (response.status != 200)
    throw_operation_error("fetch foundation root from", url,
                          "HTTP status " + std::to_string(response.status));
  std::string digest = checked_root_digest(response.body, url);
  if (digest != settings.root_sha256)
    throw_operation_error("pin foundation root from", url,
                          "its SHA-256 is " + digest + ", the config pins " + settings.root_sha256 +
                              " (root_sha256): not the CA you named");
  return response.body;
}

std::filesystem::path ensure_pinned_root(const AcmeSettings& settings,
                                         const std::filesystem::path& account_dir) {
  std::filesystem::path file = account_dir / kRootFile;
  std::string pem = pinned_root_pem(settings, account_dir);
  std::error_code missing;
  if (std::filesystem::is_regular_file(file, missing) && read_file(file) == pem) return file;
  create_directories(account_dir, 0700);
  write_file_atomically(file, pem, with_mode(0644));
  log_line(settings.directory,
           "foundation root " + settings.root_sha256 + " pinned in " + file.string());
  return file;
}

}  // namespace xmppcert::acme
