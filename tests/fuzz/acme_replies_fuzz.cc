// A CA's replies to a whole issuance: directory, nonce, account, order, authorization,
// challenge, polls, finalize, certificate chain, renewal information, with their status
// lines and headers (Location, Link, Replay-Nonce, Retry-After, Content-Type, problem
// documents). The input is a script of replies split at "\n--8<--\n"; each reply is
//   STATUS\nName: value\n...\n\nBODY
// served in order by a loopback HTTP server ({{BASE}} becomes its URL). Pauses take no time
// (a FakeClock).
// The issuer is wrapped as the registry hands it to the engine (plugins/plugin_boundary.h).
#include <charconv>
#include <deque>
#include <memory>

#include "engine/csr.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/acme/transport.h"
#include "plugins/plugin_boundary.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/fake_clock.h"
#include "tests/unit/scripted_http_server.h"

namespace {

using xmppcert::testing::ScriptedResponse;

constexpr size_t kMaxReplies = 24;

ScriptedResponse reply_of(const std::string& text) {
  ScriptedResponse reply;
  size_t end_of_head = text.find("\n\n");
  std::string head = text.substr(0, end_of_head);
  reply.body = end_of_head == std::string::npos ? "" : text.substr(end_of_head + 2);
  size_t line_end = head.find('\n');
  std::string status = head.substr(0, line_end);
  int code = 0;
  auto [ptr, error] = std::from_chars(status.data(), status.data() + status.size(), code);
  reply.status = error == std::errc() && code >= 100 && code <= 599 ? code : 200;
  while (line_end != std::string::npos) {
    size_t next = head.find('\n', line_end + 1);
    std::string header = head.substr(line_end + 1, next - line_end - 1);
    // Header lines the server could not send as such are dropped, not fuzzed into its framing.
    if (header.find(':') != std::string::npos && header.find('\r') == std::string::npos)
      reply.headers.push_back(header);
    line_end = next;
  }
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  static const bool quiet = [] {
    set_log_sink([](const std::string&) {});
    return true;
  }();
  (void)quiet;
  static const PKeyPtr key = generate_private_key(KeyType::kEcP256);
  static const testing::FakeClock clock;  // the CA's Retry-After and poll waits pass at once
  static const XmppIdentities ids{{"a.example.test"}, {"_xmpp-server.a.example.test"}, {}};
  static const X509ReqPtr csr = build_csr(key.get(), ids);

  std::deque<ScriptedResponse> script;
  for (const auto& part : fuzz::split_parts(data, size, kMaxReplies))
    if (!part.empty()) script.push_back(reply_of(part));
  testing::ScriptedHttpServer server(std::move(script));
  const std::filesystem::path state = fuzz::scratch_dir() / "state";
  std::filesystem::remove_all(state);
  acme::AcmeSettings settings;
  settings.directory = server.url("/dir");
  settings.agree_tos = true;
  settings.webroot = (fuzz::scratch_dir() / "webroot").string();
  fuzz::expect_only_project_errors([&] {
    std::unique_ptr<Issuer> issuer =
        guard_issuer(std::make_unique<acme::AcmeIssuer>(settings, state, clock));
    issuer->issue({"a.example.test", ids, csr.get(), std::chrono::hours(24), nullptr});
  });
  return 0;
}
