// The request an http-01 validator (or anyone) sends the built-in responder.
#include <cctype>

#include "plugins/issuers/acme/http01_request.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xmppcert;
  std::string_view request(reinterpret_cast<const char*>(data), size);
  if (auto token = acme::http01_token_of(request)) {
    // What is answered is only ever a base64url name we could have presented.
    for (char c : *token)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') __builtin_trap();
  }
  return 0;
}
