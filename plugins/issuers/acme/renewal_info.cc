#include "plugins/issuers/acme/renewal_info.h"

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "engine/renewal_window.h"

namespace xmppcert::acme {
namespace {

std::time_t parse_instant(const nlohmann::json& value, const std::string& origin) {
  if (!value.is_string()) throw_operation_error("read renewal window from", origin, "missing time");
  std::string text = value.get<std::string>();
  if (size_t dot = text.find('.'); dot != std::string::npos)
    text.erase(dot, text.find('Z', dot) - dot);
  try {
    return parse_utc(text);
  } catch (const UsageError& e) {
    throw_operation_error("read renewal window from", origin, e.what());
  }
}

}  // namespace

std::string renewal_certificate_id(X509* certificate) {
  const ASN1_OCTET_STRING* key_id = X509_get0_authority_key_id(certificate);
  if (!key_id)
    throw_operation_error("identify certificate for", "renewal information",
                          "it has no authority key identifier");
  std::string aki(reinterpret_cast<const char*>(ASN1_STRING_get0_data(key_id)),
                  static_cast<size_t>(ASN1_STRING_length(key_id)));
  // The serial's DER content octets: a positive INTEGER keeps its leading 0x00 when the high bit is
  // set.
  unsigned char* der = nullptr;
  int length = i2d_ASN1_INTEGER(X509_get0_serialNumber(certificate), &der);
  std::string serial_der(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  size_t header = 2;  // tag + short length; serials are at most 20 octets
  return base64url_encode(aki) + "." + base64url_encode(serial_der.substr(header));
}

RenewalWindow parse_renewal_window(const nlohmann::json& json, const std::string& origin) {
  if (!json.is_object() || !json.contains("suggestedWindow") ||
      !json["suggestedWindow"].is_object())
    throw_operation_error("read renewal window from", origin, "no suggestedWindow");
  const auto& window = json["suggestedWindow"];
  RenewalWindow result{parse_instant(window.value("start", nlohmann::json()), origin),
                       parse_instant(window.value("end", nlohmann::json()), origin)};
  if (result.end < result.start)
    throw_operation_error("read renewal window from", origin, "end before start");
  return result;
}

RenewalAdvice fetch_renewal_advice(Transport& transport, X509* certificate) {
  std::string url = transport.endpoint("renewalInfo");
  if (url.back() != '/') url += '/';
  url += renewal_certificate_id(certificate);
  HttpResponse r = transport.get(url);
  if (r.status != 200) throw_operation_error("GET", url, "HTTP " + std::to_string(r.status));
  RenewalWindow window = parse_renewal_window(nlohmann::json::parse(r.body, nullptr, false), url);
  RenewalAdvice advice{window.start, window.end, std::nullopt};
  if (auto seconds = retry_after_seconds(r, 7 * 86400))
    advice.retry_after = std::chrono::seconds(*seconds);
  return advice;
}

void renewal_time_from_ca(Transport& transport, X509* leaf, const std::string& name,
                          IssuedCertificate& issued) {
  try {
    RenewalAdvice advice = fetch_renewal_advice(transport, leaf);
    std::time_t not_after = inspect_certificate(leaf).not_after;
    if (!window_ends_before_expiry(advice.window_end, not_after))
      throw_operation_error(
          "follow renewal window " + format_utc(advice.window_start) + " .. " +
              format_utc(advice.window_end) + " for",
          name, "it ends after the certificate expires (" + format_utc(not_after) + ")");
    if (advice.retry_after) issued.renewal_info_retry_after = advice.retry_after->count();
    // Any width is safe (SECURITY.md finding 8: a 2^32-1 s window divided by zero).
    issued.renew_after =
        renewal_time_in_window(-1, advice.window_start, advice.window_end, random_u64());
  } catch (const OperationError& e) {
    log_line(name,
             std::string("renewal information unavailable, renewing at two thirds: ") + e.what());
  }
}

}  // namespace xmppcert::acme
