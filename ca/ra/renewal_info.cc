// renewalInfo (RFC 9773): a suggested renewal window per certificate, in the last third of
// its lifetime (from two thirds to five sixths), unless the operator moved it earlier with
// `xmppcert-ca renew-now`: then every certificate issued before that moment is told to renew
// within the window the operator gave, and agents polling renewalInfo renew without restart.
#include "ca/ra/acme_service.h"
#include "ca/problem.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::ca {

WebResponse AcmeService::renewal_info(const std::string& cert_id) {
  size_t dot = cert_id.find('.');
  if (dot == std::string::npos) throw AcmeProblem("malformed", "renewalInfo: bad certificate id");
  std::string serial;
  try {
    serial = hex_encode(base64url_decode(cert_id.substr(dot + 1), "serial"));
  } catch (const std::exception&) {
    throw AcmeProblem("malformed", "renewalInfo: bad certificate id");
  }
  while (serial.size() > 2 && serial.starts_with("00")) serial.erase(0, 2);
  auto cert = storage_.certificate(serial);
  if (!cert) throw AcmeProblem("malformed", "renewalInfo: no certificate " + serial, 404);
  std::time_t lifetime = cert->not_after - cert->issued;
  std::time_t start = cert->issued + lifetime * 2 / 3;
  std::time_t end = cert->issued + lifetime * 5 / 6;
  if (auto moved = storage_.renewal_override(); moved && cert->issued <= moved->issued_before) {
    start = std::min(start, moved->start);
    end = std::min(end, moved->end);
  }
  WebResponse response = json_response(
      200, {{"suggestedWindow", {{"start", format_utc(start)}, {"end", format_utc(end)}}}});
  response.headers.emplace_back("Retry-After", std::to_string(options_.ari_retry_after));
  return response;
}

}  // namespace xmppcert::ca
