// The CA's JWS and payload parsing (ca/wfe/jws_verify.cc, ca/wfe/json_limits.cc) as every POST
// reaches it from the network: a flattened JWS, its protected header, its JWK, its signature,
// then the payload parsed depth-limited and read through the typed accessors the handlers use
// (contact, an inner JWS as in keyChange and externalAccountBinding). An AcmeProblem is the
// answer to bad input; any other exception, a crash, a leak or a hang is a finding.
#include "ca/problem.h"
#include "ca/wfe/json_limits.h"
#include "ca/wfe/jws_verify.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace xmppcert;

void read_payload(const ca::ParsedJws& jws) {
  nlohmann::json payload = ca::parse_untrusted_json(jws.payload, "JWS payload");
  if (!payload.is_object()) return;
  ca::string_member(payload, "status", "payload");
  ca::bool_member(payload, "onlyReturnExisting", "payload");
  ca::integer_member(payload, "reason", "payload");
  if (payload.contains("contact")) ca::checked_contacts(payload["contact"]);
  if (payload.contains("externalAccountBinding")) {
    ca::ParsedJws binding = ca::parse_flattened_jws(payload["externalAccountBinding"]);
    ca::verify_hs256(binding, "fuzz-mac-key");
    ca::key_from_jwk(ca::parse_untrusted_json(binding.payload, "binding payload"));
  }
  if (payload.contains("oldKey")) ca::key_from_jwk(payload["oldKey"]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  try {
    ca::ParsedJws jws = ca::parse_flattened_jws(body);
    ca::string_member(jws.header, "url", "JWS header");
    ca::string_member(jws.header, "kid", "JWS header");
    ca::string_member(jws.header, "nonce", "JWS header");
    if (jws.header.contains("jwk")) {
      PKeyPtr key = ca::key_from_jwk(jws.header["jwk"]);
      try {
        ca::verify_jws_signature(jws, key.get());
      } catch (const ca::AcmeProblem&) {
      }
    }
    read_payload(jws);
  } catch (const ca::AcmeProblem&) {
  }
  return 0;
}
