#include "tests/support/issued_record.h"

namespace xmppcert::testing {

CertificateRecord issued_record(std::time_t not_before, std::time_t not_after) {
  CertificateRecord record;
  record.name = "example.org";
  record.request.name = "example.org";
  record.request.domains = {"example.org"};
  record.current_version = 1;
  record.certificate.not_before = not_before;
  record.certificate.not_after = not_after;
  return record;
}

}  // namespace xmppcert::testing
