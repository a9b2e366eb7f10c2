#include "agent/metrics_file.h"

#include "engine/fs.h"

namespace xmppcert {

void write_metrics_file(const std::filesystem::path& path,
                        const std::vector<CertificateRecord>& records,
                        const std::map<std::string, std::time_t>& next_actions,
                        const std::string& more_lines) {
  struct Metric {
    const char* name;
    const char* help;
    long (*value)(const CertificateRecord&);
  };
  const Metric metrics[] = {
      {"xmppcert_certificate_not_after_seconds", "Expiry of the current certificate (Unix time).",
       [](const CertificateRecord& r) { return static_cast<long>(r.certificate.not_after); }},
      {"xmppcert_last_success_seconds", "Last successful issuance (Unix time).",
       [](const CertificateRecord& r) { return static_cast<long>(r.last_success); }},
      {"xmppcert_consecutive_failures", "Failed attempts since the last success.",
       [](const CertificateRecord& r) { return static_cast<long>(r.consecutive_failures); }},
  };
  std::string text;
  for (const auto& metric : metrics) {
    text += std::string("# HELP ") + metric.name + " " + metric.help + "\n# TYPE " + metric.name +
            " gauge\n";
    for (const auto& record : records)
      text += std::string(metric.name) + "{certificate=\"" + record.name + "\"} " +
              std::to_string(metric.value(record)) + "\n";
  }
  text +=
      "# HELP xmppcert_next_action_seconds When xmppcertd acts next (Unix time).\n"
      "# TYPE xmppcert_next_action_seconds gauge\n";
  for (const auto& [name, when] : next_actions)
    text +=
        "xmppcert_next_action_seconds{certificate=\"" + name + "\"} " + std::to_string(when) + "\n";
  write_file_atomically(path, text + more_lines, with_mode(0644));
}

}  // namespace xmppcert
