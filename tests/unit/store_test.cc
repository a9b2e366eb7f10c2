#include "engine/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/state_lock.h"
#include "tests/support/crash_points.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

CertificateRecord record_at(const std::string& name, int version) {
  CertificateRecord record;
  record.name = name;
  record.request.name = name;
  record.request.domains = {name};
  record.current_version = version;
  record.certificate.serial_hex = "01";
  record.certificate.sha256_fingerprint = "AA";
  record.certificate.not_before = 1000;
  record.certificate.not_after = 4000;
  return record;
}

TEST(Store, VersionFilesAreWrittenWithAPrivateKeyOnlyTheOwnerReads) {
  TempDir dir;
  StateDirStore store(dir.path());
  StoredVersion v = store.write_version("example.org", {"KEY", "CERT", "CHAIN"});
  EXPECT_EQ(v.number, 1);
  EXPECT_EQ(read_file(v.key_path()), "KEY");
  EXPECT_EQ(read_file(v.fullchain_path()), "CERTCHAIN");
  EXPECT_EQ(testing::file_mode(v.key_path()), 0600u);
  EXPECT_EQ(testing::file_mode(v.cert_path()), 0644u);
}

// A module's private file (dane/: next-key.pem) sits beside the versions, owner-only, and can
// never stand in for the record or a version folder.
TEST(Store, PrivateFilesAreOwnerOnlyAndNeverTheRecordOrAVersion) {
  TempDir dir;
  StateDirStore store(dir.path());
  EXPECT_FALSE(store.load_private_file("example.org", "next-key.pem"));
  store.save_private_file("example.org", "next-key.pem", "KEY");
  EXPECT_EQ(store.load_private_file("example.org", "next-key.pem"), "KEY");
  EXPECT_EQ(testing::file_mode(store.certificate_dir("example.org") / "next-key.pem"), 0600u);
  for (const char* file : {"record.json", "v1", "../next-key.pem", "", ".hidden"})
    EXPECT_THROW(store.save_private_file("example.org", file, "X"), OperationError) << file;
}

TEST(Store, RecordSurvivesASaveAndLoad) {
  TempDir dir;
  StateDirStore store(dir.path());
  CertificateRecord record = record_at("example.org", 1);
  record.request.components = {"conference"};
  record.dropped_identities = {"SRV:_xmpp-client.example.org"};
  record.last_attempt = Attempt{2000, false, "boom"};
  store.save(record);
  auto loaded = store.load("example.org");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->request, record.request);
  EXPECT_EQ(loaded->dropped_identities, record.dropped_identities);
  EXPECT_EQ(loaded->certificate.not_after, 4000);
  EXPECT_EQ(loaded->last_attempt->message, "boom");
  EXPECT_EQ(store.load_all().size(), 1u);
}

TEST(Store, InterruptedFileWriteLeavesThePreviousContentIntact) {
  TempDir dir;
  auto path = dir / "record.json";
  write_file_atomically(path, "old");
  int status = testing::run_in_child([&] {
    write_file_atomically(path, std::string(1 << 20, 'n'), {}, Folder::trusted,
                          testing::exit_at("atomic-write:before-rename"));
  });
  EXPECT_EQ(status, 42);
  EXPECT_EQ(read_file(path), "old");
}

class InterruptedVersionWrite : public ::testing::TestWithParam<const char*> {};

TEST_P(InterruptedVersionWrite, LeavesThePreviousVersionCurrentAndTheNextWriteSucceeds) {
  TempDir dir;
  StateDirStore store(dir.path());
  StoredVersion v1 = store.write_version("example.org", {"KEY1", "CERT1", "CHAIN"});
  store.save(record_at("example.org", v1.number));
  int status = testing::run_in_child([&] {
    StateDirStore crashing(dir.path(), testing::exit_at(GetParam()));
    crashing.write_version("example.org", {"KEY2", "CERT2", "CHAIN"});
  });
  EXPECT_EQ(status, 42);
  auto record = store.load("example.org");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->current_version, 1);
  EXPECT_EQ(read_file(store.version("example.org", 1).cert_path()), "CERT1");
  StoredVersion next = store.write_version("example.org", {"KEY3", "CERT3", "CHAIN"});
  EXPECT_EQ(read_file(next.cert_path()), "CERT3");
}

INSTANTIATE_TEST_SUITE_P(Store, InterruptedVersionWrite,
                         ::testing::Values("store:after-key", "store:before-version-rename"));

TEST(Store, PruneKeepsTheNewestVersionsAndTheCurrentOne) {
  TempDir dir;
  StateDirStore store(dir.path());
  for (int i = 0; i < 7; ++i) store.write_version("example.org", {"K", "C", ""});
  store.prune(record_at("example.org", 1), 3);
  for (int n : {1, 5, 6, 7})
    EXPECT_TRUE(std::filesystem::exists(store.version("example.org", n).dir)) << n;
  for (int n : {2, 3, 4})
    EXPECT_FALSE(std::filesystem::exists(store.version("example.org", n).dir)) << n;
}

TEST(Store, CertificateNamesThatAreNotSafeFolderNamesAreRejected) {
  EXPECT_THROW(validate_certificate_name("../etc"), UsageError);
  EXPECT_THROW(validate_certificate_name(""), UsageError);
  EXPECT_THROW(validate_certificate_name("Example.org"), UsageError);
  EXPECT_NO_THROW(validate_certificate_name("xn--bcher-kva.example"));
}

TEST(StateLock, SecondRunWaitsThenFailsNamingTheLockWhileTheFirstHoldsIt) {
  TempDir dir;
  StateLock held(dir.path(), std::chrono::milliseconds(0));
  int status = testing::run_in_child([&] {
    try {
      StateLock second(dir.path(), std::chrono::milliseconds(200));
    } catch (const OperationError& e) {
      ::_exit(std::string(e.what()).find("lock") != std::string::npos ? 7 : 8);
    }
    ::_exit(0);
  });
  EXPECT_EQ(status, 7);
}

TEST(StateLock, IsAcquiredOnceTheHolderReleasesIt) {
  TempDir dir;
  { StateLock first(dir.path(), std::chrono::milliseconds(0)); }
  int status =
      testing::run_in_child([&] { StateLock second(dir.path(), std::chrono::milliseconds(0)); });
  EXPECT_EQ(status, 0);
}

TEST(StateLock, IsReleasedWhenTheHolderDiesWithoutCleanup) {
  TempDir dir;
  testing::run_in_child([&] {
    new StateLock(dir.path(), std::chrono::milliseconds(0));
    ::_exit(0);
  });
  EXPECT_NO_THROW(StateLock(dir.path(), std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace xmppcert
