#include "engine/issuer.h"

#include "engine/clock.h"
#include "engine/errors.h"

namespace xmppcert {

void Issuer::revoke(X509*, EVP_PKEY*, int) {
  throw_operation_error("revoke with issuer", name(), "this issuer has no revocation");
}

std::string Issuer::validity_given(std::chrono::seconds requested) const {
  return format_duration(requested);
}

}  // namespace xmppcert
