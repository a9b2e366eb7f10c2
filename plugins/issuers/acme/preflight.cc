// The ACME issuer's dry-run checks: the directory answers with the configured trust (one GET,
// no account, no nonce: nothing the CA counts), and whatever the chosen challenge solver
// needs locally is there (its port free, its webroot writable, its hook or key file usable).
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/errors.h"
#include "engine/http.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/acme/pinned_root.h"
#include "plugins/issuers/acme/solver_table.h"

namespace xmppcert::acme {
namespace {

// A PEM in a private temporary file for as long as it lives (libcurl reads a CA file).
class TemporaryPem {
 public:
  explicit TemporaryPem(const std::string& pem) {
    if (pem.empty()) return;
    char path[] = "/tmp/xmppcert-pinned-root-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0) throw_operation_error("create", path, errno_text(errno));
    path_ = path;
    bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
    ::close(fd);
    if (!written) throw_operation_error("write", path_, errno_text(errno));
  }
  ~TemporaryPem() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// With root_sha256, `pinned_root` is the pinned root's PEM: the only trust, as in a real run.
PreflightCheck directory_check(const AcmeSettings& settings, const std::string& pinned_root) {
  std::string trust = pinned_root.empty() ? settings.trust : "the root pinned by root_sha256";
  PreflightCheck check{"ACME directory " + settings.directory + " answers" +
                           (trust.empty() ? "" : " (trust " + trust + ")"),
                       ""};
  try {
    require_secure_url(settings.directory);
    TemporaryPem pinned(pinned_root);
    HttpOptions options;
    options.ca_file = pinned_root.empty() ? settings.trust : pinned.path();
    options.timeout = std::chrono::seconds(10);
    CurlHttpClient http(options);
    HttpResponse response = http.get(settings.directory);
    if (response.status != 200) {
      check.failure = "HTTP status " + std::to_string(response.status);
      return check;
    }
    auto directory = nlohmann::json::parse(response.body, nullptr, false);
    if (!directory.is_object() || !directory.contains("newOrder"))
      check.failure = "the answer is not an ACME directory (no newOrder)";
  } catch (const HttpTrustError& e) {
    check.failure = std::string(e.what()) +
                    (trust.empty() ? "; the foundation CA needs its root pinned with "
                                     "--acme-root-sha256 FP (\"root_sha256\"), another private CA "
                                     "--acme-trust PEM (\"trust\")"
                                   : "");
  } catch (const OperationError& e) {
    check.failure = e.what();
  }
  return check;
}

PreflightCheck executable_check(const std::string& what, const std::string& program) {
  if (program.find('/') == std::string::npos) return {what, ""};  // found on PATH at run time
  if (::access(program.c_str(), X_OK) != 0) return {what, program + ": " + errno_text(errno)};
  return {what, ""};
}

}  // namespace

std::string AcmeIssuer::validity_given(std::chrono::seconds) const {
  return "set by the CA (ACME lets the CA choose; --validity is not sent)";
}

PreflightChecks AcmeIssuer::preflight() const {
  PreflightChecks checks;
  if (!settings_.trust.empty())
    checks.push_back(
        check_readable_file("ACME trust file readable: " + settings_.trust, settings_.trust));
  std::string pinned_root;
  if (!settings_.root_sha256.empty()) {
    PreflightCheck pin{"foundation root " + root_url_for(settings_) + " matches root_sha256", ""};
    try {
      pinned_root = pinned_root_pem(settings_, account_dir());
    } catch (const std::exception& e) {
      pin.failure = e.what();
    }
    checks.push_back(pin);
  }
  if (settings_.root_sha256.empty() || !pinned_root.empty())
    checks.push_back(directory_check(settings_, pinned_root));
  const SolverEntry& solver = solver_for(settings_, "acme");
  const std::string selected = solver.selected_by ? solver.selected_by : "";
  const std::string name = solver.name;
  if (selected.empty()) {
    checks.push_back(check_bindable(name + " port free: " + settings_.http01_address + ":" +
                                        std::to_string(settings_.http01_port),
                                    settings_.http01_address, settings_.http01_port));
  } else if (selected == "tls_alpn01_port") {
    checks.push_back(check_bindable(name + " port free: " + settings_.tls_alpn01_address + ":" +
                                        std::to_string(settings_.tls_alpn01_port),
                                    settings_.tls_alpn01_address, settings_.tls_alpn01_port));
  } else if (selected == "webroot") {
    auto dir = std::filesystem::path(settings_.webroot) / ".well-known" / "acme-challenge";
    checks.push_back(check_writable_directory(name + " writable: " + dir.string(), dir));
  } else if (selected == "dns01_hook") {
    checks.push_back(executable_check(name + " executable", settings_.dns01_hook.front()));
  } else if (selected == "rfc2136_server" && !settings_.rfc2136_key_file.empty()) {
    checks.push_back(check_readable_file(name + " key file readable", settings_.rfc2136_key_file));
  }
  return checks;
}

}  // namespace xmppcert::acme
