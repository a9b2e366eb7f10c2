#include "ca/notary/notary_protocol.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>

#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::ca::notary {
namespace {

std::string der_of(X509* cert) {
  unsigned char* der = nullptr;
  int length = i2d_X509(cert, &der);
  if (length <= 0) throw_operation_error("encode", "notary request certificate", "i2d_X509");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string sha256_raw(const std::string& data) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

}  // namespace

std::string key_sha256(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw_operation_error("encode", "notary key", "i2d_PUBKEY");
  std::string spki(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return hex_encode(sha256_raw(spki));
}

bool is_key_sha256(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string curl_pin(const std::string& hex) {
  if (!is_key_sha256(hex))
    throw UsageError("key_sha256 \"" + hex + "\": expected 64 lower-case hex digits");
  std::string raw;
  for (size_t i = 0; i < hex.size(); i += 2)
    raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return "sha256//" + base64_encode(raw);
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json request_payload(const NotaryRequest& request, X509* signer) {
  return {{"certificate", base64url_encode(der_of(signer))},
          {"identifier", request.identifier},
          {"challenge", request.challenge},
          {"token", request.token},
          {"key_authorization", request.key_authorization},
          {"issued_at_ms", request.issued_at_ms},
          {"deadline_ms", request.deadline_ms}};
}

nlohmann::json answer_payload(const NotaryAnswer& answer) {
  nlohmann::json out{
      {"request", answer.request_id},  {"identifier", answer.identifier},
      {"challenge", answer.challenge}, {"outcome", answer.valid ? "valid" : "invalid"},
      {"addresses", answer.addresses}, {"time", answer.time}};
  if (!answer.problem.is_null()) out["problem"] = answer.problem;
  return out;
}

NotaryAnswer parse_answer_payload(const std::string& payload, const std::string& origin) {
  nlohmann::json json = nlohmann::json::parse(payload, nullptr, false);
  auto text = [&](const char* key) {
    if (!json.is_object() || !json.contains(key) || !json[key].is_string() ||
        json[key].get_ref<const std::string&>().size() > 1024)
      throw_operation_error("read notary answer", origin, std::string("no string \"") + key + "\"");
    return json[key].get<std::string>();
  };
  NotaryAnswer answer;
  answer.request_id = text("request");
  answer.identifier = text("identifier");
  answer.challenge = text("challenge");
  std::string outcome = text("outcome");
  if (outcome != "valid" && outcome != "invalid")
    throw_operation_error("read notary answer", origin, "outcome \"" + outcome + "\"");
  answer.valid = outcome == "valid";
  answer.time = text("time");
  if (json.contains("addresses") && json["addresses"].is_array())
    for (const auto& address : json["addresses"])
      if (address.is_string() && address.get_ref<const std::string&>().size() <= 64 &&
          answer.addresses.size() < 16)
        answer.addresses.push_back(address);
  if (json.contains("problem") && json["problem"].is_object()) answer.problem = json["problem"];
  return answer;
}

}  // namespace xmppcert::ca::notary
