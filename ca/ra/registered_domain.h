// The registered domain of a name, what the per-registered-domain certificate limit counts
// (Let's Encrypt's "certificates per registered domain"). Without the Public Suffix List the
// CA's rule is simple and stated: the last two labels (xmpp.example.org -> example.org),
// or, for a name under one of the operator's `registered_domain_suffixes` ("co.uk"), that
// suffix and the label before it (a.example.co.uk -> example.co.uk). A name with fewer labels
// is its own registered domain.
#pragma once

#include <string>
#include <vector>

namespace xmppcert::ca {

// `name` and `suffixes` in A-labels, lower case, no trailing dot (as check_order_identifier
// returns them).
std::string registered_domain(const std::string& name, const std::vector<std::string>& suffixes);

}  // namespace xmppcert::ca
