// A load generator for ACME CAs (bench/ca_throughput.sh): N clients, each with an account of
// its own, obtain M certificates one after another with real http-01 validation, answered by
// one in-process responder on 127.0.0.1:PORT (the CA's validation port). Unlike a full client
// it starts no process per certificate and never sleeps out a poll interval: it looks again
// after a Retry-After only when the CA sends one, else after 2 ms. Prints one line:
//   NAME CERTS FAILED certs/s p50_ms p99_ms
//   bench_ca_load_client --directory URL --trust ROOT.pem --http01-port P --clients N
//                        --certificates M --name NAME [--domain-suffix S]
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/csr.h"
#include "engine/encoding.h"
#include "engine/http.h"
#include "engine/identity.h"
#include "engine/keys.h"
#include "jose/jws.h"
#include "plugins/issuers/acme/challenge_listener.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace xmppcert;

constexpr auto kGiveUpAfter = std::chrono::seconds(60);  // per certificate

struct Options {
  std::string directory, trust, name = "ca", suffix = "example.test";
  int http01_port = 0, clients = 8, certificates = 10;
};

// The key authorizations the CA may ask for, by token; one listener for every client.
class TokenResponder {
 public:
  explicit TokenResponder(int port)
      : listener_("http-01", "127.0.0.1", port, [this](int client) { answer(client); }) {}
  void put(const std::string& token, const std::string& key_authorization) {
    std::lock_guard guard(mutex_);
    tokens_[token] = key_authorization;
  }
  void remove(const std::string& token) {
    std::lock_guard guard(mutex_);
    tokens_.erase(token);
  }

 private:
  void answer(int client) {
    char buffer[4096];
    ssize_t got = ::recv(client, buffer, sizeof buffer - 1, 0);
    std::string request(buffer, got > 0 ? static_cast<size_t>(got) : 0);
    const std::string prefix = "GET /.well-known/acme-challenge/";
    std::string body, status = "404 Not Found";
    if (request.starts_with(prefix)) {
      std::string token = request.substr(prefix.size(), request.find(' ', prefix.size()) -
                                                            prefix.size());
      std::lock_guard guard(mutex_);
      if (auto found = tokens_.find(token); found != tokens_.end()) {
        body = found->second;
        status = "200 OK";
      }
    }
    std::string response = "HTTP/1.1 " + status + "\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)::send(client, response.data(), response.size(), MSG_NOSIGNAL);
  }
  std::mutex mutex_;
  std::map<std::string, std::string> tokens_;
  acme::ChallengeListener listener_;
};

HttpOptions trusting(const std::string& ca_file) {
  HttpOptions options;
  options.ca_file = ca_file;
  return options;
}

class LoadClient {
 public:
  LoadClient(const Options& options, TokenResponder& responder)
      : options_(options),
        responder_(responder),
        http_(trusting(options.trust)),
        key_(generate_private_key(KeyType::kEcP256)) {
    directory_ = json::parse(http_.get(options.directory).body);
    HttpResponse made = post(directory_["newAccount"], R"({"termsOfServiceAgreed":true})", true);
    if (made.status >= 300) throw std::runtime_error("newAccount: " + made.body);
    kid_ = *made.header("location");
  }

  // One certificate for `domain`, start to download; false when the CA refused or gave up.
  // A reply that is not what the step expects throws an error naming its URL, status and
  // body, so that a failed run shows what the CA answered.
  bool obtain(const std::string& domain) {
    auto deadline = Clock::now() + kGiveUpAfter;
    std::string new_order = directory_["newOrder"];
    HttpResponse made =
        post(new_order, json{{"identifiers", {{{"type", "dns"}, {"value", domain}}}}}.dump());
    if (made.status != 201) return fail("newOrder " + domain, new_order, made);
    std::string order_url = *made.header("location");
    json order = object_of(new_order, made);
    for (const auto& authz_value : order["authorizations"]) {
      std::string authz_url = string_of(authz_value, "authorization URL", new_order, made);
      HttpResponse authz_reply = post(authz_url, "");
      json authz = object_of(authz_url, authz_reply);
      if (authz.value("status", "") == "valid") continue;
      json challenge;
      for (const auto& c : authz.value("challenges", json::array()))
        if (c.value("type", "") == "http-01") challenge = c;
      if (!challenge.is_object()) unexpected("no http-01 challenge", authz_url, authz_reply);
      std::string token = string_of(challenge["token"], "challenge token", authz_url, authz_reply);
      std::string challenge_url =
          string_of(challenge["url"], "challenge url", authz_url, authz_reply);
      responder_.put(token, token + "." + jose::jwk_thumbprint(key_.get()));
      std::string polled = challenge_url;
      HttpResponse answered = post(challenge_url, "{}");
      std::string status = object_of(polled, answered).value("status", "");
      while (status != "valid" && status != "invalid" && Clock::now() < deadline) {
        pause(answered);
        polled = authz_url;
        answered = post(authz_url, "");
        status = object_of(polled, answered).value("status", "");
      }
      responder_.remove(token);
      if (status != "valid") return fail("validate " + domain, polled, answered);
    }
    PKeyPtr cert_key = generate_private_key(KeyType::kEcP256);
    X509ReqPtr csr = build_csr(cert_key.get(), identities_for({parse_domain(domain)}, {}));
    std::string polled = string_of(order["finalize"], "finalize URL", new_order, made);
    HttpResponse finalized =
        post(polled, json{{"csr", base64url_encode(csr_der(csr.get()))}}.dump());
    json state = object_of(polled, finalized);
    while (state.value("status", "") == "processing" && Clock::now() < deadline) {
      pause(finalized);
      polled = order_url;
      finalized = post(order_url, "");
      state = object_of(polled, finalized);
    }
    if (state.value("status", "") != "valid") return fail("finalize " + domain, polled, finalized);
    std::string cert_url = string_of(state["certificate"], "certificate URL", polled, finalized);
    HttpResponse cert = post(cert_url, "");
    if (cert.status != 200) return fail("download " + domain, cert_url, cert);
    return true;
  }

 private:
  static std::string described(const std::string& url, const HttpResponse& r) {
    return url + ": HTTP " + std::to_string(r.status) + " " + r.body;
  }
  bool fail(const std::string& what, const std::string& url, const HttpResponse& r) {
    std::cerr << options_.name << ": " << what << ": " << described(url, r) << "\n";
    return false;
  }
  [[noreturn]] static void unexpected(const std::string& what, const std::string& url,
                                      const HttpResponse& r) {
    throw std::runtime_error(what + " in the reply of " + described(url, r));
  }
  // The body of a successful reply, a JSON object; an error naming the reply when it is
  // anything else (a problem document included: its "status" is a number).
  static json object_of(const std::string& url, const HttpResponse& r) {
    if (r.status >= 400) unexpected("an error", url, r);
    json parsed = json::parse(r.body, nullptr, false);
    if (!parsed.is_object()) unexpected("no JSON object", url, r);
    return parsed;
  }
  static std::string string_of(const json& value, const std::string& what, const std::string& url,
                               const HttpResponse& r) {
    if (!value.is_string()) unexpected("no " + what, url, r);
    return value.get<std::string>();
  }
  void pause(const HttpResponse& r) {
    auto after = r.header("retry-after");
    std::this_thread::sleep_for(after ? std::chrono::milliseconds(std::stoi(*after) * 1000)
                                      : std::chrono::milliseconds(2));
  }
  std::string nonce() {
    if (!nonces_.empty()) {
      std::string nonce = nonces_.back();
      nonces_.pop_back();
      return nonce;
    }
    return *http_.head(directory_["newNonce"]).header("replay-nonce");
  }
  HttpResponse post(const std::string& url, const std::string& payload, bool with_jwk = false) {
    for (int attempt = 0;; ++attempt) {
      std::string body = jose::sign_jws(
          key_.get(), with_jwk ? std::nullopt : std::optional(kid_), nonce(), url, payload);
      HttpResponse r = http_.post(url, body, "application/jose+json");
      if (auto next = r.header("replay-nonce")) nonces_.push_back(*next);
      if (r.status == 400 && r.body.find("badNonce") != std::string::npos && attempt < 3) continue;
      return r;
    }
  }

  const Options& options_;
  TokenResponder& responder_;
  CurlHttpClient http_;
  PKeyPtr key_;
  json directory_;
  std::string kid_;
  std::vector<std::string> nonces_;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--directory") options.directory = value;
    else if (flag == "--trust") options.trust = value;
    else if (flag == "--name") options.name = value;
    else if (flag == "--domain-suffix") options.suffix = value;
    else if (flag == "--http01-port") options.http01_port = std::stoi(value);
    else if (flag == "--clients") options.clients = std::stoi(value);
    else if (flag == "--certificates") options.certificates = std::stoi(value);
    else throw std::runtime_error("unknown option " + flag);
  }
  if (options.directory.empty() || options.http01_port == 0)
    throw std::runtime_error("--directory URL and --http01-port P are required");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options options = parse(argc, argv);
    TokenResponder responder(options.http01_port);
    std::vector<std::unique_ptr<LoadClient>> clients;
    for (int c = 0; c < options.clients; ++c)
      clients.push_back(std::make_unique<LoadClient>(options, responder));
    std::mutex mutex;
    std::vector<double> latencies_ms;
    std::atomic<int> failed = 0;
    auto started = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < options.clients; ++c)
      threads.emplace_back([&, c] {
        for (int i = 0; i < options.certificates; ++i) {
          auto begin = Clock::now();
          std::string domain = options.name + "-c" + std::to_string(c) + "-" + std::to_string(i) +
                               "." + options.suffix;
          bool ok = false;
          try {
            ok = clients[c]->obtain(domain);
          } catch (const std::exception& error) {
            std::cerr << options.name << ": " << domain << ": " << error.what() << "\n";
          }
          if (!ok) {
            ++failed;
            continue;
          }
          std::chrono::duration<double, std::milli> took = Clock::now() - begin;
          std::lock_guard guard(mutex);
          latencies_ms.push_back(took.count());
        }
      });
    for (auto& thread : threads) thread.join();
    std::chrono::duration<double> elapsed = Clock::now() - started;
    std::sort(latencies_ms.begin(), latencies_ms.end());
    auto percentile = [&](double p) {
      if (latencies_ms.empty()) return 0.0;
      return latencies_ms[std::min(latencies_ms.size() - 1,
                                   static_cast<size_t>(p * (latencies_ms.size() - 1) + 0.5))];
    };
    std::printf("%s %zu %d %.2f %.1f %.1f\n", options.name.c_str(), latencies_ms.size(),
                failed.load(), latencies_ms.size() / elapsed.count(), percentile(0.5),
                percentile(0.99));
    return failed.load() == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "bench_ca_load_client: " << error.what() << "\n";
    return 2;
  }
}
