// The registration authority's rules (boulder's ra/ and policy/): which identifiers an order
// may name, and the XMPP profile a CSR must fit before anything is signed.
//
// The profile: every dNSName of the CSR is an identifier validated in the order, and every
// identifier of the order is a dNSName of it; SRV-IDs _xmpp-client.D / _xmpp-server.D
// (RFC 7712) and XmppAddr D (RFC 6120 §13.7.1.4) only for a validated D; nothing else
// (IP addresses, emails, URIs, other otherNames, a CN that is not a dNSName). A refusal is
// AcmeProblem badCSR naming the entry.
#pragma once

#include <string>
#include <vector>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"

namespace xmppcert::ca {

// The identifier in A-labels, lower case; AcmeProblem rejectedIdentifier (or unsupported-
// Identifier for non-dns types) when the CA will not issue for it.
std::string check_order_identifier(const std::string& type, const std::string& value,
                                   const std::vector<std::string>& permitted_domains);

// The identities to put in the certificate. `validated` in A-labels.
XmppIdentities approve_csr(X509_REQ* csr, const std::vector<std::string>& validated,
                           EVP_PKEY* account_key);

}  // namespace xmppcert::ca
