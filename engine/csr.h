// Certificate signing requests carrying the XMPP identities (see san.h). The subject CN is
// the first DNS-ID, for servers and tools that still look only at the CN; a client
// certificate's CSR carries only an XmppAddr (the bare JID), which is then the CN.
#pragma once

#include <string>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"

namespace xmppcert {

X509ReqPtr build_csr(EVP_PKEY* key, const XmppIdentities& ids);

std::string csr_pem(X509_REQ* csr);
std::string csr_der(X509_REQ* csr);  // what an issuer's finalize carries, base64url-encoded
X509ReqPtr parse_csr_pem(const std::string& pem);

}  // namespace xmppcert
