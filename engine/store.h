// The state dir: one folder per managed certificate, every issued version kept in its own
// numbered folder, and a JSON record naming the current one.
//
//   <state>/lock                          StateLock
//   <state>/ca/local/                     the local CA (plugins/issuers/local)
//   <state>/certs/<name>/record.json      CertificateRecord; "current_version" is the truth
//   <state>/certs/<name>/v<N>/            privkey.pem (0600) cert.pem chain.pem fullchain.pem
//   <state>/certs/<name>/<file>           a module's private files (0600): next-key.pem, with
//                                         "dane", the pre-generated next key (dane/next_key.h)
//
// A version folder is written under a temporary name and renamed into place, and the record
// is replaced atomically after it: a crash at any point leaves the previous version current.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/certificate.h"
#include "engine/extensions.h"
#include "engine/fs.h"
#include "engine/request.h"

namespace xmppcert {

struct StoredVersion {
  int number = 0;
  std::filesystem::path dir;
  std::filesystem::path key_path() const { return dir / "privkey.pem"; }
  std::filesystem::path cert_path() const { return dir / "cert.pem"; }
  std::filesystem::path chain_path() const { return dir / "chain.pem"; }
  std::filesystem::path fullchain_path() const { return dir / "fullchain.pem"; }
  std::filesystem::path root_path() const { return dir / "root.pem"; }  // may be absent
};

struct VersionFiles {
  std::string key_pem;
  std::string cert_pem;
  std::string chain_pem;   // issuer certificates, leaf excluded
  std::string root_pem{};  // the root the chain leads to, when the issuer named it
};

struct Attempt {
  std::time_t time = 0;
  bool ok = false;
  std::string message;
};

// A version the issuer gave whose install, reload or served check failed (engine/
// issued_not_installed.h): installed at the next try instead of ordering again.
struct IssuedNotInstalled {
  int version = 0;
  std::string issuer;                                         // the request's, at issuance
  nlohmann::json issuer_settings = nlohmann::json::object();  // the request's, at issuance
  std::time_t renew_after = 0;                                // as IssuedCertificate's
  long renewal_info_retry_after = 0;                          // as IssuedCertificate's
};

struct CertificateRecord {
  std::string name;
  CertificateRequest request;
  int current_version = 0;                      // 0: nothing issued yet
  CertificateInfo certificate;                  // of the current version
  std::vector<std::string> dropped_identities;  // requested, but the issuer left them out
  std::time_t next_renewal = 0;
  long renewal_info_retry_after = 0;  // seconds, as the issuer said at issuance; 0: none
  // The issuer's renewal window as last polled (ARI) and when it is asked next; 0: unknown.
  std::time_t renewal_window_start = 0;
  std::time_t renewal_window_end = 0;
  std::time_t next_renewal_info_poll = 0;
  // Names of the request left out of the current certificate because issuing them failed
  // (renewal/renewal.h: the last good set renewed instead), and why; retried with the rest.
  std::vector<std::string> left_out;
  std::string left_out_why;
  // The DNS-IDs of the request the last, failed attempt asked for: what the next action asks
  // again (`status` shows them; the certificate's names are the old ones). Empty after a success.
  std::vector<std::string> pending_names;
  std::optional<Attempt> last_attempt;
  std::time_t last_success = 0;
  int consecutive_failures = 0;
  bool revoked = false;           // the current version was revoked: due for replacement
  // Sections a module owns, opaque here (engine/extensions.h): "dane", the TLSA rollover's
  // state (dane/dane_state.h), with "dane" in the request.
  Extensions extensions;
  std::optional<IssuedNotInstalled> issued_not_installed;  // newer than current_version
};

// Certificate names become folder names: [a-z0-9] then [a-z0-9._-]; UsageError otherwise.
void validate_certificate_name(const std::string& name);

// A module's private file name (Store::save_private_file): a plain name ([a-z0-9.-], starting
// with a letter) that is neither the record nor a version folder; returns it, an
// OperationError otherwise.
const std::string& private_file_name(const std::string& file);

// Where records and versions live. Callers take a `const Store&`; StateDirStore below is
// the state-dir backend, and another one (state shared by a cluster of XMPP nodes) can be
// added behind the same interface without touching them.
class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<CertificateRecord> load(const std::string& name) const = 0;
  virtual std::vector<CertificateRecord> load_all() const = 0;  // sorted by name
  virtual void save(const CertificateRecord& record) const = 0;

  // Writes the next version after `current_version` (the record's, as the caller loaded it)
  // and after every version folder present.
  virtual StoredVersion write_version(const std::string& name, const VersionFiles& files,
                                      int current_version) const = 0;
  // The same, reading the record for its current version.
  StoredVersion write_version(const std::string& name, const VersionFiles& files) const;
  virtual StoredVersion version(const std::string& name, int number) const = 0;
  // The numbers of the versions kept, ascending.
  virtual std::vector<int> versions(const std::string& name) const = 0;

  // Removes version folders older than the newest `keep` (the current one always stays).
  virtual void prune(const CertificateRecord& record, int keep) const = 0;

  // Forgets `name`: its record, versions and keys (xmppcert delete). Call under the state
  // lock. An OperationError naming the path when it cannot.
  virtual void remove(const std::string& name) const = 0;

  // A private file a module keeps beside the versions (dane/next_key.h: "next-key.pem", the
  // pre-generated next key); nullopt when none. `file` is a plain name ([a-z0-9.-]).
  virtual std::optional<std::string> load_private_file(const std::string& name,
                                                       const std::string& file) const = 0;
  // Stored 0600, atomically.
  virtual void save_private_file(const std::string& name, const std::string& file,
                                 const std::string& content) const = 0;
};

// The state dir described at the top of this file.
class StateDirStore : public Store {
 public:
  // `crash_points` (tests): "store:after-key", "store:before-version-rename" in
  // write_version, "store:before-record" and the atomic write's in save.
  explicit StateDirStore(std::filesystem::path state_dir, CrashPoints crash_points = {});

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path certificate_dir(const std::string& name) const;
  std::filesystem::path certificates_dir() const { return root_ / "certs"; }

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
  std::filesystem::path root_;
  CrashPoints crash_points_;
};

// The records with an issued current version whose certificate carries DNS-ID `dns_id`
// (A-labels), sorted by name: what `check`, `dane` and `posh` look a domain up by.
std::vector<CertificateRecord> issued_records_carrying(const Store& store,
                                                       const std::string& dns_id);

}  // namespace xmppcert
