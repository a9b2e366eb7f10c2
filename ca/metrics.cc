#include "ca/metrics.h"

#include <unistd.h>

#include <fstream>

namespace xmppcert::ca {
namespace {

// Resident set size from /proc/self/statm (pages); 0 where there is none.
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

void counter(std::string& out, const std::string& name, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n";
}

}  // namespace

void CaMetrics::count_response(int status) {
  int klass = status / 100;
  if (klass >= 1 && klass <= 5) ++responses_[klass];
}

void CaMetrics::count_issued(std::chrono::steady_clock::duration finalize_took) {
  finalize_microseconds_ +=
      std::chrono::duration_cast<std::chrono::microseconds>(finalize_took).count();
  ++issued_;
}

std::string CaMetrics::exposition() const {
  std::string out;
  counter(out, "xmppcert_ca_responses_total", "HTTP responses sent, by status class.");
  for (int klass = 1; klass <= 5; ++klass)
    out += "xmppcert_ca_responses_total{code=\"" + std::to_string(klass) + "xx\"} " +
           std::to_string(responses_[klass].load()) + "\n";
  counter(out, "xmppcert_ca_certificates_issued_total", "Certificates issued and stored.");
  out += "xmppcert_ca_certificates_issued_total " + std::to_string(issued_.load()) + "\n";
  counter(out, "xmppcert_ca_finalize_seconds_total",
          "Time spent in finalize (CSR checked, signed, stored), summed over issuances.");
  out += "xmppcert_ca_finalize_seconds_total " +
         std::to_string(static_cast<double>(finalize_microseconds_.load()) / 1e6) + "\n";
  counter(out, "xmppcert_ca_certificates_revoked_total", "Certificates revoked.");
  out += "xmppcert_ca_certificates_revoked_total " + std::to_string(revoked_.load()) + "\n";
  counter(out, "xmppcert_ca_validations_total", "Challenge validations, by result.");
  out += "xmppcert_ca_validations_total{result=\"valid\"} " +
         std::to_string(validations_valid_.load()) + "\n";
  out += "xmppcert_ca_validations_total{result=\"invalid\"} " +
         std::to_string(validations_invalid_.load()) + "\n";
  out +=
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes " +
      std::to_string(resident_bytes()) + "\n";
  return out;
}

}  // namespace xmppcert::ca
