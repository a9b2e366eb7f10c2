// A certificate chain in PEM as a CA sends it.
#include "engine/certificate.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  std::string pem(reinterpret_cast<const char*>(data), size);
  fuzz::expect_only_project_errors([&] {
    for (auto& cert : parse_certificate_chain(pem, "fuzz")) {
      inspect_certificate(cert.get());
      sha256_fingerprint(cert.get());
    }
  });
  fuzz::expect_only_project_errors([&] { parse_certificate(pem, "fuzz"); });
  return 0;
}
