// The Store of the tests that are not about the state dir: records and a module's private
// files kept in memory (no lock, no fsync, no rename), with the state dir's semantics
// (CTest `StoreContract.*` runs the same checks on both): versions numbered after the
// current one and after every version kept, prune keeps the newest N and the current one,
// remove forgets everything, records go through record.json's format (what a record does not
// keep, such as a secret setting, is not kept here either).
//
// A StoredVersion is a folder an installer reads, so each version's files are also written,
// plainly, to `<files_root>/<name>/v<N>/` (the names a reload's environment is built from).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "engine/store.h"

namespace xmppcert::testing {

class MemoryStore : public Store {
 public:
  explicit MemoryStore(std::filesystem::path files_root);

  std::optional<CertificateRecord> load(const std::string& name) const override;
  std::vector<CertificateRecord> load_all() const override;
  void save(const CertificateRecord& record) const override;
  using Store::write_version;
  StoredVersion write_version(const std::string& name, const VersionFiles& files,
                              int current_version) const override;
  StoredVersion version(const std::string& name, int number) const override;
  std::vector<int> versions(const std::string& name) const override;
  void prune(const CertificateRecord& record, int keep) const override;
  void remove(const std::string& name) const override;
  std::optional<std::string> load_private_file(const std::string& name,
                                               const std::string& file) const override;
  void save_private_file(const std::string& name, const std::string& file,
                         const std::string& content) const override;

 private:
  struct Certificate {
    std::optional<nlohmann::json> record;  // record.json's content
    std::map<int, VersionFiles> versions;
    std::map<std::string, std::string> private_files;
  };

  std::filesystem::path files_root_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, Certificate> certificates_;
};

}  // namespace xmppcert::testing
