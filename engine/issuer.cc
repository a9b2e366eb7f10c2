#include "engine/issuer.h"

#include "engine/errors.h"

namespace xmppcert {

void Issuer::revoke(X509*, EVP_PKEY*, int) {
  throw_operation_error("revoke with issuer", name(), "this issuer has no revocation");
}

}  // namespace xmppcert
