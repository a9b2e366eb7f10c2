// What every Store promises its callers (engine/store.h), checked on the state dir and on the
// tests' MemoryStore alike, so that a test run on the MemoryStore proves what it would on disk.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/record_json.h"
#include "engine/store.h"
#include "tests/support/issued_record.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using MakeStore = std::function<std::unique_ptr<Store>(const std::filesystem::path&)>;

struct Backend {
  const char* name;
  MakeStore make;
  friend void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }
};

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  testing::TempDir dir_;
  std::unique_ptr<Store> store_ = GetParam().make(dir_.path());
};

CertificateRecord record_of(const std::string& name, int current_version) {
  CertificateRecord record = testing::issued_record(1000, 4000);
  record.name = record.request.name = name;
  record.request.domains = {name};
  record.current_version = current_version;
  record.last_attempt = Attempt{2000, false, "boom"};
  return record;
}

TEST_P(StoreContract, ASavedRecordLoadsAsItWasSavedAndAnUnknownOneIsAbsent) {
  EXPECT_FALSE(store_->load("example.org"));
  CertificateRecord record = record_of("example.org", 0);
  store_->save(record);
  auto loaded = store_->load("example.org");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(record_to_json(*loaded), record_to_json(record));
  record.consecutive_failures = 3;
  store_->save(record);
  EXPECT_EQ(store_->load("example.org")->consecutive_failures, 3);
}

TEST_P(StoreContract, LoadAllReturnsTheRecordsSortedByNameAndSkipsNamesWithoutOne) {
  for (const char* name : {"c.example", "a.example", "b.example"}) store_->save(record_of(name, 0));
  store_->write_version("d.example", {"K", "C", ""});  // a version, no record yet
  std::vector<std::string> names;
  for (const auto& record : store_->load_all()) names.push_back(record.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.example", "b.example", "c.example"}));
}

TEST_P(StoreContract, VersionsAreNumberedAfterTheCurrentOneAndAfterEveryVersionKept) {
  EXPECT_EQ(store_->write_version("example.org", {"K1", "C1", "CH"}).number, 1);
  store_->save(record_of("example.org", 1));
  StoredVersion second = store_->write_version("example.org", {"K2", "C2", "CH", "ROOT"});
  EXPECT_EQ(second.number, 2) << "after version 1";
  EXPECT_EQ(store_->write_version("example.org", {"K", "C", ""}, 7).number, 8)
      << "after the caller's current version";
  EXPECT_EQ(store_->versions("example.org"), (std::vector<int>{1, 2, 8}));
  EXPECT_TRUE(store_->versions("other.example").empty());

  StoredVersion read = store_->version("example.org", 2);
  EXPECT_EQ(read.dir, second.dir);
  EXPECT_EQ(read_file(read.key_path()), "K2");
  EXPECT_EQ(read_file(read.fullchain_path()), "C2CH");
  EXPECT_EQ(read_file(read.root_path()), "ROOT");
  EXPECT_EQ(testing::file_mode(read.key_path()), 0600u);
  EXPECT_THROW(store_->write_version("../etc", {"K", "C", ""}), UsageError);
}

TEST_P(StoreContract, PruneKeepsTheNewestVersionsAndTheCurrentOne) {
  for (int i = 0; i < 7; ++i) store_->write_version("example.org", {"K", "C", ""});
  store_->prune(record_of("example.org", 1), 3);
  EXPECT_EQ(store_->versions("example.org"), (std::vector<int>{1, 5, 6, 7}));
  EXPECT_FALSE(std::filesystem::exists(store_->version("example.org", 2).dir));
  EXPECT_EQ(store_->write_version("example.org", {"K", "C", ""}, 1).number, 8);
}

TEST_P(StoreContract, RemoveForgetsTheRecordTheVersionsAndThePrivateFiles) {
  store_->write_version("example.org", {"K", "C", ""});
  store_->save(record_of("example.org", 1));
  store_->save_private_file("example.org", "next-key.pem", "NEXT");
  store_->save(record_of("other.example", 0));
  store_->remove("example.org");
  EXPECT_FALSE(store_->load("example.org"));
  EXPECT_TRUE(store_->versions("example.org").empty());
  EXPECT_FALSE(store_->load_private_file("example.org", "next-key.pem"));
  EXPECT_EQ(store_->load_all().size(), 1u);
  EXPECT_THROW(store_->remove("example.org"), OperationError) << "nothing left to remove";
}

TEST_P(StoreContract, PrivateFilesAreKeptBesideTheVersionsUnderPlainNamesOnly) {
  EXPECT_FALSE(store_->load_private_file("example.org", "next-key.pem"));
  store_->save_private_file("example.org", "next-key.pem", "KEY");
  store_->save_private_file("example.org", "next-key.pem", "KEY2");
  EXPECT_EQ(store_->load_private_file("example.org", "next-key.pem"), "KEY2");
  EXPECT_FALSE(store_->load("example.org")) << "a private file is no record";
  for (const char* file : {"record.json", "v1", "../next-key.pem", "", ".hidden"})
    EXPECT_THROW(store_->save_private_file("example.org", file, "X"), OperationError) << file;
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreContract,
    ::testing::Values(Backend{"StateDirStore",
                              [](const std::filesystem::path& dir) -> std::unique_ptr<Store> {
                                return std::make_unique<StateDirStore>(dir);
                              }},
                      Backend{"MemoryStore",
                              [](const std::filesystem::path& dir) -> std::unique_ptr<Store> {
                                return std::make_unique<testing::MemoryStore>(dir);
                              }}),
    [](const ::testing::TestParamInfo<Backend>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xmppcert
