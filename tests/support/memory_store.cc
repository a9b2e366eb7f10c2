#include "tests/support/memory_store.h"

#include <sys/stat.h>

#include <fstream>

#include "engine/errors.h"
#include "engine/record_json.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

// No fsync and no rename: nothing here has to survive a crash.
void write_plain_file(const fs::path& path, const std::string& content, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  if (::chmod(path.c_str(), mode) != 0)
    throw_operation_error("write", path.string(), "cannot set its mode");
}

}  // namespace

MemoryStore::MemoryStore(fs::path files_root) : files_root_(std::move(files_root)) {}

std::optional<CertificateRecord> MemoryStore::load(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = certificates_.find(name);
  if (found == certificates_.end() || !found->second.record) return std::nullopt;
  return record_from_json(*found->second.record, "memory store: " + name);
}

std::vector<CertificateRecord> MemoryStore::load_all() const {
  std::lock_guard lock(mutex_);
  std::vector<CertificateRecord> records;
  for (const auto& [name, certificate] : certificates_)  // a std::map: sorted by name
    if (certificate.record)
      records.push_back(record_from_json(*certificate.record, "memory store: " + name));
  return records;
}

void MemoryStore::save(const CertificateRecord& record) const {
  nlohmann::json json = record_to_json(record);
  std::lock_guard lock(mutex_);
  certificates_[record.name].record = std::move(json);
}

StoredVersion MemoryStore::write_version(const std::string& name, const VersionFiles& files,
                                         int current_version) const {
  validate_certificate_name(name);
  std::lock_guard lock(mutex_);
  auto& kept = certificates_[name].versions;
  int number = std::max(kept.empty() ? 1 : kept.rbegin()->first + 1, current_version + 1);
  kept[number] = files;

  StoredVersion version{number, files_root_ / name / ("v" + std::to_string(number))};
  fs::create_directories(version.dir);
  write_plain_file(version.key_path(), files.key_pem, kPrivateKeyMode);
  write_plain_file(version.cert_path(), files.cert_pem, 0644);
  write_plain_file(version.chain_path(), files.chain_pem, 0644);
  write_plain_file(version.fullchain_path(), files.cert_pem + files.chain_pem, 0644);
  if (!files.root_pem.empty()) write_plain_file(version.root_path(), files.root_pem, 0644);
  return version;
}

StoredVersion MemoryStore::version(const std::string& name, int number) const {
  return StoredVersion{number, files_root_ / name / ("v" + std::to_string(number))};
}

std::vector<int> MemoryStore::versions(const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::vector<int> numbers;
  if (auto found = certificates_.find(name); found != certificates_.end())
    for (const auto& [number, files] : found->second.versions) numbers.push_back(number);
  return numbers;
}

void MemoryStore::prune(const CertificateRecord& record, int keep) const {
  std::lock_guard lock(mutex_);
  auto found = certificates_.find(record.name);
  if (found == certificates_.end()) return;
  auto& kept = found->second.versions;
  int newer = 0;  // versions above this one that stay
  for (auto it = kept.rbegin(); it != kept.rend();) {
    if (it->first == record.current_version || newer < keep) {
      ++newer;
      ++it;
      continue;
    }
    fs::remove_all(version(record.name, it->first).dir);
    it = std::make_reverse_iterator(kept.erase(std::next(it).base()));
  }
}

void MemoryStore::remove(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (certificates_.erase(name) == 0)
    throw_operation_error("delete", "memory store: " + name, "no such certificate");
  fs::remove_all(files_root_ / name);
}

std::optional<std::string> MemoryStore::load_private_file(const std::string& name,
                                                          const std::string& file) const {
  private_file_name(file);
  std::lock_guard lock(mutex_);
  auto found = certificates_.find(name);
  if (found == certificates_.end()) return std::nullopt;
  auto content = found->second.private_files.find(file);
  if (content == found->second.private_files.end()) return std::nullopt;
  return content->second;
}

void MemoryStore::save_private_file(const std::string& name, const std::string& file,
                                    const std::string& content) const {
  validate_certificate_name(name);
  private_file_name(file);
  std::lock_guard lock(mutex_);
  certificates_[name].private_files[file] = content;
}

}  // namespace xmppcert::testing
