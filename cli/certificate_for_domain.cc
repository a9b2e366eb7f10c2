#include "cli/certificate_for_domain.h"

#include "engine/certificate.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/store.h"

namespace xmppcert::cli {

DomainCertificate certificate_for_domain(const std::string& command, const Session& session,
                                         const cmdline::ParsedArgs& args, const DomainName& domain) {
  if (auto file = args.value("--cert")) return {parse_certificate(read_file(*file), *file), *file};
  const Store& store = *session.store;
  std::optional<CertificateRecord> found = store.load(domain.ascii);
  if (!found || found->current_version == 0) {
    found.reset();
    auto carrying = issued_records_carrying(store, domain.ascii);
    if (!carrying.empty()) found = std::move(carrying.front());
  }
  if (!found)
    throw UsageError(command + ": no issued certificate for " + domain.ascii + " in " +
                     session.state_dir.string() + " (enroll it first, or name a file with --cert)");
  std::string path = store.version(found->name, found->current_version).cert_path().string();
  return {parse_certificate(read_file(path), path), path};
}

}  // namespace xmppcert::cli
