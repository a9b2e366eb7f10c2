// The CA's request router and handlers (ca/wfe/wfe.cc and the RA behind it) as the HTTPS
// server hands them a request: method, path, content type and body, against a real
// AcmeService on SQLite with one account, one ready order and one certificate already there.
// Input: "METHOD\n--8<--\nPATH\n--8<--\nMODE\n--8<--\nBODY". MODE "kid" or "jwk": the body is
// a payload that the harness signs as a client would (the account's kid, or a fresh key's
// jwk) with a fresh nonce, so the fuzzer reaches the handlers past the JWS checks; anything
// else is the Content-Type and the body goes as sent. In PATH, {order}, {authz} and {cert}
// stand for the existing order, authorization and serial. A 5xx answer is an exception the
// service let through: a finding, like a crash, a leak or a hang.
#include <unistd.h>

#include "ca/ca_keys.h"
#include "ca/log/transparency_log.h"
#include "ca/problem.h"
#include "ca/ra/acme_service.h"
#include "ca/sa/sqlite_storage.h"
#include "engine/csr.h"
#include "engine/encoding.h"
#include "engine/keys.h"
#include "jose/jws.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace xmppcert;
const std::string kBase = "https://ca.test";

// Validations end at once: valid for names under valid.test, refused otherwise.
class InstantValidator : public ca::ChallengeValidator {
 public:
  ca::Deadline deadline() const override {
    return std::chrono::steady_clock::now() + std::chrono::seconds(1);
  }
  void validate(const ca::ChallengeToCheck& challenge, ca::Deadline,
                ca::ValidationRecord*) override {
    if (!challenge.domain.ends_with("valid.test"))
      throw ca::AcmeProblem("incorrectResponse", "refused by the fuzz validator", 403);
  }
  void check_caa(const std::string&, ca::Deadline) override {}
};

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::string header_of(const ca::WebResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return "";
}

struct Ca {
  InstantValidator validator;
  std::unique_ptr<ca::IssuingCa> issuing;
  std::unique_ptr<ca::Storage> storage;
  std::unique_ptr<ca::TransparencyLog> log;
  std::unique_ptr<ca::AcmeService> service;
  PKeyPtr account_key = generate_private_key(KeyType::kEcP256);
  std::string kid, order, authz, cert;

  Ca() {
    // tmpfs when there is one: SQLite's fsyncs would otherwise set the pace.
    std::filesystem::path dir = (::access("/dev/shm", W_OK) == 0 ? std::filesystem::path("/dev/shm")
                                                                 : fuzz::scratch_dir()) /
                                ("xmppcert-ca-router-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ca::InitOptions init;
    init.state_dir = dir;
    init.hostname = "ca.test";
    ca::init_ca(init);
    issuing = std::make_unique<ca::IssuingCa>(ca::load_issuing_ca(dir));
    storage = std::make_unique<ca::SqliteStorage>(dir / "ca.db");
    log = std::make_unique<ca::TransparencyLog>(dir, *storage, *issuing);
    ca::ServiceOptions options;
    options.base_url = kBase;
    service = std::make_unique<ca::AcmeService>(options, *issuing, *storage, validator, *log);
    kid =
        header_of(post("/acme/new-account", R"({"termsOfServiceAgreed":true})", false), "Location");
    auto created =
        post("/acme/new-order", R"({"identifiers":[{"type":"dns","value":"a.valid.test"}]})", true);
    order =
        header_of(created, "Location").substr(kBase.size() + std::string("/acme/order/").size());
    auto body = nlohmann::json::parse(created.body);
    authz = body["authorizations"][0].get<std::string>().substr(kBase.size() + 12);
    post("/acme/chall/" + authz + "/http-01", "{}", true);
    for (int i = 0; i < 500 && post("/acme/authz/" + authz, "", true).body.find("\"valid\"") ==
                                   std::string::npos;
         ++i)
      ::usleep(10000);  // the work queue's thread records the validation
    PKeyPtr key = generate_private_key(KeyType::kEcP256);
    X509ReqPtr request = build_csr(key.get(), identities_for({parse_domain("a.valid.test")}, {}));
    std::string csr = base64url_encode(csr_der(request.get()));
    auto finalized = post("/acme/order/" + order + "/finalize", R"({"csr":")" + csr + "\"}", true);
    cert = nlohmann::json::parse(finalized.body).value("certificate", "");
    if (cert.empty()) std::abort();  // the harness itself is broken
    cert = cert.substr(kBase.size() + std::string("/acme/cert/").size());
  }

  std::string nonce() {
    return header_of(service->handle({"HEAD", "/acme/new-nonce", "", "", ""}), "Replay-Nonce");
  }

  ca::WebResponse post(const std::string& path, const std::string& payload, bool with_kid) {
    std::string body =
        jose::sign_jws(account_key.get(), with_kid ? std::optional(kid) : std::nullopt, nonce(),
                       kBase + path, payload);
    return service->handle({"POST", path, "", "application/jose+json", body});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Ca* ca = new Ca;  // never destroyed: its work queue's threads outlive the runs
  auto parts = fuzz::split_parts(data, size, 4);
  ca::WebRequest request;
  request.method = parts[0];
  request.target = parts[1];
  replace_all(request.target, "{order}", ca->order);
  replace_all(request.target, "{authz}", ca->authz);
  replace_all(request.target, "{cert}", ca->cert);
  ca::WebResponse response;
  if (parts[2] == "kid" || parts[2] == "jwk") {
    static PKeyPtr other = generate_private_key(KeyType::kEcP256);
    std::string body;
    try {
      body = jose::sign_jws(parts[2] == "kid" ? ca->account_key.get() : other.get(),
                            parts[2] == "kid" ? std::optional(ca->kid) : std::nullopt, ca->nonce(),
                            kBase + request.target, parts[3]);
    } catch (const nlohmann::json::exception&) {
      return 0;  // a client cannot sign a url that is not UTF-8 (the other modes send it)
    }
    response = ca->service->handle({"POST", request.target, "", "application/jose+json", body});
  } else {
    request.content_type = parts[2];
    request.body = parts[3];
    response = ca->service->handle(request);
  }
  if (response.status >= 500) {
    fprintf(stderr, "answer %d: %s\n", response.status, response.body.c_str());
    __builtin_trap();
  }
  return 0;
}
