// The CA's CSR check (ca/ra/policy.cc: approve_csr) and order identifiers
// (check_order_identifier) on any bytes: input "CSR DER\n--8<--\nVALIDATED NAMES, one a
// line". What a client sends at finalize reaches approve_csr after a DER parse only, so
// every SAN shape, key type and extension count comes through here. AcmeProblem is the
// answer; any other exception, a crash, a leak or a hang is a finding.
#include <openssl/x509.h>

#include <sstream>

#include "ca/problem.h"
#include "ca/ra/policy.h"
#include "engine/keys.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  static PKeyPtr account_key = generate_private_key(KeyType::kEcP256);
  auto parts = fuzz::split_parts(data, size, 2);
  std::vector<std::string> validated;
  std::istringstream lines(parts[1]);
  for (std::string line; std::getline(lines, line) && validated.size() < 120;) {
    try {
      validated.push_back(ca::check_order_identifier("dns", line, {}));
    } catch (const ca::AcmeProblem&) {
    }
  }
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(parts[0].data());
  X509ReqPtr csr(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(parts[0].size())));
  if (!csr) return 0;
  try {
    ca::approve_csr(csr.get(), validated, account_key.get());
  } catch (const ca::AcmeProblem&) {
  }
  return 0;
}
