// subjectAltName encoding of XMPP identities: dNSName for DNS-IDs, otherName id-on-dnsSRV
// (1.3.6.1.5.5.7.8.7, IA5String, RFC 4985) for SRV-IDs, otherName id-on-xmppAddr
// (1.3.6.1.5.5.7.8.5, UTF8String, RFC 6120 §13.7.1.4) for XmppAddrs.
#pragma once

#include "engine/identity.h"
#include "engine/openssl_ptr.h"

namespace xmppcert {

GeneralNamesPtr encode_subject_alt_names(const XmppIdentities& ids);

// Reads back what a SAN extension holds; entries of other kinds are ignored.
XmppIdentities decode_subject_alt_names(const GENERAL_NAMES* names);

XmppIdentities identities_in_certificate(X509* cert);

}  // namespace xmppcert
