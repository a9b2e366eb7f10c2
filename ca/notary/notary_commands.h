// `xmppcert-ca notary init|serve` (issue 27's command contract): the notary a federation
// member runs so that the CA's validations are corroborated from its network.
#pragma once

#include <string>
#include <vector>

namespace xmppcert::ca::notary {

extern const char* const kNotaryUsage;
int run_notary(const std::vector<std::string>& args);

}  // namespace xmppcert::ca::notary
