// Two CA instances on one PostgreSQL write the same hot spots: the transparency log's next
// index and the rate events an order or a validation counts before it adds one. Left to
// SERIALIZABLE alone, such transactions conflict with each other and are run again after a
// pause (bench/ca_throughput.sh measured 248 serialization failures for 200 certificates on
// two instances). Storage::queued_transaction makes them wait for each other instead: here
// threads of two instances append and count at once, and every index is taken once with no
// gap, every count sees every event added before it, and no transaction is run again.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "ca/sa/postgres_storage.h"
#include "tests/ca/postgres_server.h"

namespace xmppcert {
namespace {

using testing::PostgresServer;

constexpr int kInstances = 2;
constexpr int kThreadsPerInstance = 3;
constexpr int kEachThread = 15;
constexpr int kTotal = kInstances * kThreadsPerInstance * kEachThread;

class QueuedTransactions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << PostgresServer::kMissing;
    PostgresServer& db = PostgresServer::shared();
    std::string conninfo = db.create_database();
    ca::PostgresStorage(conninfo, db.password(), true).migrate();
    for (int i = 0; i < kInstances; ++i)
      instances_.push_back(std::make_unique<ca::PostgresStorage>(conninfo, db.password()));
  }

  // `step(storage, thread, n)` kEachThread times on each thread of each instance, all at once;
  // what each call returned.
  std::vector<long long> run_at_once(
      const std::function<long long(ca::PostgresStorage&, int, int)>& step) {
    std::mutex mutex;
    std::vector<long long> results;
    std::vector<std::thread> threads;
    for (auto& instance : instances_)
      for (int t = 0; t < kThreadsPerInstance; ++t)
        threads.emplace_back([&, storage = instance.get(), thread = static_cast<int>(threads.size())] {
          for (int n = 0; n < kEachThread; ++n) {
            long long result = step(*storage, thread, n);
            std::lock_guard guard(mutex);
            results.push_back(result);
          }
        });
    for (auto& thread : threads) thread.join();
    std::sort(results.begin(), results.end());
    return results;
  }

  unsigned long long retries() const {
    unsigned long long sum = 0;
    for (const auto& instance : instances_) sum += instance->serialization_retries();
    return sum;
  }

  static std::vector<long long> zero_to(int count) {
    std::vector<long long> out(static_cast<size_t>(count));
    std::iota(out.begin(), out.end(), 0);
    return out;
  }

  std::vector<std::unique_ptr<ca::PostgresStorage>> instances_;
};

TEST_F(QueuedTransactions, AppendersOnTwoInstancesTakeDenseUniqueIndicesWithoutRunningAgain) {
  auto indices = run_at_once([](ca::PostgresStorage& storage, int thread, int n) {
    std::string serial = std::to_string(thread) + "-" + std::to_string(n);
    ca::LogEntryRecord entry;
    entry.leaf_input = "leaf " + serial;
    entry.leaf_hash = std::string(31, '\0') + static_cast<char>(thread * kEachThread + n);
    entry.cert_sha256 = entry.leaf_hash;
    entry.serial = serial;
    // As finalize does: the certificate stored and logged in one transaction.
    return static_cast<long long>(
        storage.queued_transaction(ca::kLogAppendQueue, ca::Commit::kDurable, [&] {
          storage.insert_certificate({serial, 1, "order-" + serial, "pem", 0, 0, 0, 0});
          return storage.log_append(entry);
        }));
  });
  EXPECT_EQ(indices, zero_to(kTotal));
  EXPECT_EQ(instances_[0]->log_size(), static_cast<uint64_t>(kTotal));
  EXPECT_EQ(instances_[1]->log_leaf_hashes(kTotal).size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(instances_[1]->certificates().size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(retries(), 0u);
}

TEST_F(QueuedTransactions, RateEventsCountedOnTwoInstancesSeeEveryEventAddedBeforeWithoutRunningAgain) {
  // Every thread counts and adds one account's events (as a validation starting does), so a
  // count that missed a committed event would show as a repeated number.
  auto counts = run_at_once([](ca::PostgresStorage& storage, int, int) {
    return storage.queued_transaction(ca::kRateEventsQueue, ca::Commit::kRepeatable, [&] {
      long long before = storage.count_rate_events(7, "validating", 0);
      storage.add_rate_event(7, "validating", 1000);
      return before;
    });
  });
  EXPECT_EQ(counts, zero_to(kTotal));
  EXPECT_EQ(instances_[0]->count_rate_events(7, "validating", 0), kTotal);
  EXPECT_EQ(retries(), 0u);
}

}  // namespace
}  // namespace xmppcert
