// Downloading the issued certificate (RFC 8555 §7.4.2) and choosing among the chains the CA
// offers (Link rel="alternate"): the default one unless a preferred top issuer is named.
#pragma once

#include <string>
#include <vector>

#include "engine/openssl_ptr.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

// The leaf, then its issuers, from `certificate_url`. With `preferred_chain`, the first alternate
// whose top certificate is issued by that CN, or the default chain (logged under `name`).
std::vector<X509Ptr> download_certificate(Transport& transport, const std::string& certificate_url,
                                          const std::string& preferred_chain,
                                          const std::string& name);

}  // namespace xmppcert::acme
