#include "engine/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/record_json.h"

namespace xmppcert {
namespace {

constexpr const char* kRecordFile = "record.json";

std::optional<int> version_number(const std::string& folder) {
  if (folder.size() < 2 || folder[0] != 'v') return std::nullopt;
  if (folder.find_first_not_of("0123456789", 1) != std::string::npos) return std::nullopt;
  return std::stoi(folder.substr(1));
}

std::vector<int> version_numbers(const fs::path& dir) {
  std::vector<int> numbers;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (auto n = version_number(entry.path().filename().string())) numbers.push_back(*n);
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

}  // namespace

const std::string& private_file_name(const std::string& file) {
  bool ok = !file.empty() && file.size() <= 64 && file[0] >= 'a' && file[0] <= 'z' &&
            file != kRecordFile && !version_number(file);
  for (char c : file)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
  if (!ok) throw_operation_error("store private file", "\"" + file + "\"", "not a plain file name");
  return file;
}

void validate_certificate_name(const std::string& name) {
  bool ok =
      !name.empty() && name.size() <= 255 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name)
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_');
  if (!ok)
    throw UsageError(
        "invalid certificate name \"" + name +
        "\" (lower-case letters, digits, '.', '-', '_'; starting with a letter or digit)");
}

StateDirStore::StateDirStore(fs::path state_dir, CrashPoints crash_points)
    : root_(std::move(state_dir)), crash_points_(std::move(crash_points)) {}

fs::path StateDirStore::certificate_dir(const std::string& name) const {
  return root_ / "certs" / name;
}

std::optional<CertificateRecord> StateDirStore::load(const std::string& name) const {
  fs::path path = certificate_dir(name) / kRecordFile;
  if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
  std::string text = read_file(path);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) throw_operation_error("parse record", path.string(), "not valid JSON");
  return record_from_json(json, path.string());
}

std::vector<CertificateRecord> StateDirStore::load_all() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "certs", ec))
    if (std::string name = entry.path().filename().string(); name.front() != '.')
      names.push_back(name);  // hidden: staging and deletion folders, never a certificate
  std::sort(names.begin(), names.end());
  std::vector<CertificateRecord> records;
  records.reserve(names.size());
  for (const auto& name : names)
    if (auto record = load(name)) records.push_back(std::move(*record));
  return records;
}

void StateDirStore::save(const CertificateRecord& record) const {
  fs::path dir = certificate_dir(record.name);
  create_directories(dir, 0755);
  crash_points_.reached("store:before-record");
  write_file_atomically(dir / kRecordFile, record_to_json(record).dump(2) + "\n", with_mode(0644),
                        Folder::trusted, crash_points_);
}

StoredVersion Store::write_version(const std::string& name, const VersionFiles& files) const {
  validate_certificate_name(name);
  std::optional<CertificateRecord> record = load(name);
  return write_version(name, files, record ? record->current_version : 0);
}

StoredVersion StateDirStore::write_version(const std::string& name, const VersionFiles& files,
                                           int current_version) const {
  validate_certificate_name(name);
  fs::path dir = certificate_dir(name);
  create_directories(dir, 0755);
  auto existing = version_numbers(dir);
  int number = existing.empty() ? 1 : existing.back() + 1;
  number = std::max(number, current_version + 1);

  StoredVersion version{number, dir / ("v" + std::to_string(number))};
  fs::path staging = dir / (".v" + std::to_string(number) + ".tmp-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(staging, ec);
  try {  // a failed write (a full disk) leaves no staging folder behind
    create_directories(staging, 0755);
    // The staging folder becomes the version in one rename: its files need no rename of
    // their own, only their data and the folder's entries on disk before that rename.
    write_new_file(staging / "privkey.pem", files.key_pem, with_mode(kPrivateKeyMode));
    crash_points_.reached("store:after-key");
    write_new_file(staging / "cert.pem", files.cert_pem, with_mode(0644));
    write_new_file(staging / "chain.pem", files.chain_pem, with_mode(0644));
    write_new_file(staging / "fullchain.pem", files.cert_pem + files.chain_pem, with_mode(0644));
    if (!files.root_pem.empty()) write_new_file(staging / "root.pem", files.root_pem, with_mode(0644));
    sync_directory(staging);
    crash_points_.reached("store:before-version-rename");
    if (::rename(staging.c_str(), version.dir.c_str()) != 0)
      throw_operation_error("rename " + staging.string() + " to", version.dir.string(),
                            errno_text(errno));
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  sync_directory(dir);
  return version;
}

StoredVersion StateDirStore::version(const std::string& name, int number) const {
  return StoredVersion{number, certificate_dir(name) / ("v" + std::to_string(number))};
}

std::vector<int> StateDirStore::versions(const std::string& name) const {
  return version_numbers(certificate_dir(name));
}

std::optional<std::string> StateDirStore::load_private_file(const std::string& name,
                                                            const std::string& file) const {
  fs::path path = certificate_dir(name) / private_file_name(file);
  if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
  return read_file(path);
}

void StateDirStore::save_private_file(const std::string& name, const std::string& file,
                                      const std::string& content) const {
  validate_certificate_name(name);
  create_directories(certificate_dir(name), 0755);
  write_file_atomically(certificate_dir(name) / private_file_name(file), content,
                        with_mode(kPrivateKeyMode));
}

// Out of sight in one rename, then removed: a crash in between leaves a hidden folder (which
// load_all skips), never a half-deleted certificate that status or the agent would read.
void StateDirStore::remove(const std::string& name) const {
  const fs::path dir = certificate_dir(name);
  const fs::path doomed =
      dir.parent_path() / ("." + name + ".tmp-delete-" + std::to_string(::getpid()));
  std::error_code error;
  fs::rename(dir, doomed, error);
  if (error) throw_operation_error("delete", dir.string(), error.message());
  fs::remove_all(doomed, error);
  if (error) throw_operation_error("remove", doomed.string(), error.message());
}

void StateDirStore::prune(const CertificateRecord& record, int keep) const {
  fs::path dir = certificate_dir(record.name);
  auto numbers = version_numbers(dir);
  int kept = 0;
  for (auto it = numbers.rbegin(); it != numbers.rend(); ++it) {
    if (*it == record.current_version || kept < keep) {
      ++kept;
      continue;
    }
    std::error_code ec;
    fs::remove_all(dir / ("v" + std::to_string(*it)), ec);
  }
  // Staging folders left by a crashed run.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind(".v", 0) == 0) fs::remove_all(entry.path(), ec);
}

std::vector<CertificateRecord> issued_records_carrying(const Store& store,
                                                       const std::string& dns_id) {
  std::vector<CertificateRecord> found;
  for (auto& record : store.load_all()) {
    const auto& dns = record.certificate.identities.dns_ids;
    if (record.current_version > 0 && std::find(dns.begin(), dns.end(), dns_id) != dns.end())
      found.push_back(std::move(record));
  }
  return found;
}

}  // namespace xmppcert
