// The CA's storage on both backends: what one transaction decides happens once across
// connections (two instances on one database), the schema is migrated by `xmppcert-ca
// migrate` (and from version 3 to 4 on both backends, records kept) and a newer one refused,
// the database password never travels in the connection string, and a PostgreSQL killed with
// SIGKILL makes the CA answer 503 with Retry-After until it is back, then serve again by itself.
// Backends: StorageOn on both; PostgresCa is PostgreSQL's own (a connection per thread,
// migrate, the password file, a database server to kill, instances sharing it); SqliteSchema
// is SQLite's own (its user_version upgrade).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <sqlite3.h>

#include "ca/sa/postgres_storage.h"
#include "ca/sa/sqlite_storage.h"
#include "engine/fs.h"
#include "engine/http.h"
#include "engine/keys.h"
#include "jose/jws.h"
#include "tests/ca/ca_fixture.h"

namespace xmppcert {
namespace {

using nlohmann::json;
using testing::Backend;
using testing::FoundationCa;
using testing::PostgresServer;
using testing::ProcessResult;

std::string read_password(const std::string& file) {
  std::string password = read_file(file);
  while (!password.empty() && password.back() == '\n') password.pop_back();
  return password;
}

class StorageOn : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    if (GetParam() == Backend::kPostgres) {
      conninfo_ = PostgresServer::shared().create_database();
      password_ = read_password(PostgresServer::shared().password_file());
      ca::PostgresStorage(conninfo_, password_, true).migrate();
    }
  }
  // A new connection to the test's database, as another CA instance would open.
  std::unique_ptr<ca::Storage> connect() {
    if (GetParam() == Backend::kPostgres)
      return std::make_unique<ca::PostgresStorage>(conninfo_, password_);
    return std::make_unique<ca::SqliteStorage>(dir_.path() / "ca.db");
  }
  testing::TempDir dir_;
  std::string conninfo_;
  std::string password_;
};

TEST_P(StorageOn, AnOrderMovesFromReadyToProcessingOnceAcrossConnections) {
  connect()->put_document("order", "o1", 1, {{"status", "ready"}});
  constexpr int kInstances = 6;
  std::atomic<int> finalized = 0;
  std::vector<std::thread> instances;
  for (int i = 0; i < kInstances; ++i)
    instances.emplace_back([&] {
      auto storage = connect();
      // A body that loses a serialization conflict runs again and then sees "processing".
      bool moved = storage->transaction([&] {
        json order = *storage->document("order", "o1");
        if (order["status"] != "ready") return false;
        order["status"] = "processing";
        storage->put_document("order", "o1", 1, order);
        return true;
      });
      if (moved) ++finalized;
    });
  for (auto& instance : instances) instance.join();
  EXPECT_EQ(connect()->document("order", "o1").value()["status"], "processing");
  EXPECT_EQ(finalized.load(), 1);
}

TEST_P(StorageOn, CertificatesAreListedOldestFirstWithTheirRevocation) {
  auto storage = connect();
  storage->insert_certificate({"0a", 1, "o1", "PEM-A", 1900000000, 0, 0, 0});
  storage->insert_certificate({"0b", 2, "o2", "PEM-B", 1900000001, 0, 0, 0});
  storage->revoke_certificate("0b", 4, 1800000000);
  auto all = connect()->certificates();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].serial, "0a");
  EXPECT_EQ(all[1].revoked_at, 1800000000);
  EXPECT_EQ(all[1].reason, 4);
  ASSERT_EQ(connect()->revoked_certificates().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Storage, StorageOn,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

class PostgresCa : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << PostgresServer::kMissing;
  }
  std::string write_config(const json& storage) {
    std::string file = (dir_.path() / "ca.json").string();
    testing::write_text(file, json{{"storage", storage}}.dump());
    return file;
  }
  testing::TempDir dir_;
};

// One instance serves many requests at once: a thread inside a transaction holds its own
// connection, and another thread's query is answered meanwhile, on a connection of its own
// (it does not see the uncommitted write).
TEST_F(PostgresCa, AQueryIsAnsweredWhileAnotherThreadOfTheSameInstanceIsInsideATransaction) {
  std::string conninfo = PostgresServer::shared().create_database();
  std::string password = read_password(PostgresServer::shared().password_file());
  ca::PostgresStorage(conninfo, password, true).migrate();
  ca::PostgresStorage storage(conninfo, password);
  std::atomic<bool> answered = false, saw_uncommitted = false;
  std::thread other;
  storage.transaction([&] {
    storage.put_document("order", "o1", 1, {{"status", "ready"}});
    if (!other.joinable())
      other = std::thread([&] {
        saw_uncommitted = storage.document("order", "o1").has_value();
        answered = true;
      });
    EXPECT_TRUE(testing::eventually([&] { return answered.load(); }, std::chrono::seconds(10)));
  });
  other.join();
  EXPECT_FALSE(saw_uncommitted.load());
  EXPECT_TRUE(storage.document("order", "o1").has_value());
}

TEST_F(PostgresCa, MigrateCreatesTheSchemaOnceAndRefusesANewerOne) {
  PostgresServer& db = PostgresServer::shared();
  std::string conninfo = db.create_database();
  std::string config =
      write_config({{"postgresql", conninfo}, {"password_file", db.password_file()}});
  ProcessResult unmigrated = testing::run_xmppcert_ca(
      {"list", "--state-dir", (dir_.path() / "state").string(), "--config", config});
  EXPECT_EQ(unmigrated.exit_code, 1);
  EXPECT_NE(unmigrated.err.find("xmppcert-ca migrate"), std::string::npos) << unmigrated.err;

  ProcessResult first = testing::run_xmppcert_ca({"migrate", "--config", config});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string latest = std::to_string(ca::kSchemaVersion);
  EXPECT_NE(first.out.find("from version 0 to " + latest), std::string::npos) << first.out;
  ProcessResult again = testing::run_xmppcert_ca({"migrate", "--config", config});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already at version " + latest), std::string::npos) << again.out;
  EXPECT_EQ(again.err, "");

  db.query(conninfo, "UPDATE schema_version SET version = 99");
  ProcessResult newer = testing::run_xmppcert_ca({"migrate", "--config", config});
  EXPECT_EQ(newer.exit_code, 1);
  EXPECT_NE(newer.err.find("newer"), std::string::npos) << newer.err;
  ProcessResult list = testing::run_xmppcert_ca(
      {"list", "--state-dir", (dir_.path() / "state").string(), "--config", config});
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_NE(list.err.find("version 99"), std::string::npos) << list.err;
}

TEST_F(PostgresCa, APasswordInTheConnectionStringOrAPasswordFileOthersCanReadIsRefused) {
  PostgresServer& db = PostgresServer::shared();
  std::string config = write_config({{"postgresql", db.create_database() + " password=secret"}});
  ProcessResult inline_password = testing::run_xmppcert_ca({"migrate", "--config", config});
  EXPECT_EQ(inline_password.exit_code, 2);
  EXPECT_NE(inline_password.err.find("password_file"), std::string::npos) << inline_password.err;
  EXPECT_EQ(inline_password.err.find("secret"), std::string::npos) << inline_password.err;

  config = write_config({{"postgresql", "postgresql://ca:secret@127.0.0.1/xmppcert"}});
  ProcessResult uri_password = testing::run_xmppcert_ca({"migrate", "--config", config});
  EXPECT_EQ(uri_password.exit_code, 2) << uri_password.err;
  EXPECT_EQ(uri_password.err.find("secret"), std::string::npos) << uri_password.err;

  std::string readable = (dir_.path() / "password").string();
  testing::write_text(readable, read_file(db.password_file()));
  ::chmod(readable.c_str(), 0644);
  config = write_config({{"postgresql", db.create_database()}, {"password_file", readable}});
  ProcessResult open_file = testing::run_xmppcert_ca({"migrate", "--config", config});
  EXPECT_EQ(open_file.exit_code, 1);
  EXPECT_NE(open_file.err.find(readable), std::string::npos) << open_file.err;
}

// What a CA of schema version 3 stored: an account and two certificates, one issued now
// (inside the certificates-per-hour window) and one long ago.
constexpr const char* kVersionThreeRecords[] = {
    "INSERT INTO accounts (thumbprint, jwk, status, contact, eab_kid, created) VALUES "
    "('tp-3', '{}', 'valid', '[]', '', 1)",
    "INSERT INTO certificates (serial, account, order_id, leaf_pem, not_after, issued) VALUES "
    "('0a', 1, 'o1', 'PEM', 1900000000, 1000)",
};

TEST_F(PostgresCa, MigrateFromVersionThreeKeepsTheRecordsAndTheLastHoursCertificatesCount) {
  PostgresServer& db = PostgresServer::shared();
  std::string conninfo = db.create_database();
  std::string password = read_password(db.password_file());
  ca::PostgresStorage(conninfo, password, true).migrate(3);
  for (const char* sql : kVersionThreeRecords) db.query(conninfo, sql);
  db.query(conninfo,
           "INSERT INTO certificates (serial, account, order_id, leaf_pem, not_after, issued) "
           "VALUES ('0b', 1, 'o2', 'PEM', 1900000000, floor(extract(epoch from now()))::bigint)");
  std::string config =
      write_config({{"postgresql", conninfo}, {"password_file", db.password_file()}});
  ProcessResult old = testing::run_xmppcert_ca(
      {"list", "--state-dir", (dir_.path() / "state").string(), "--config", config});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_NE(old.err.find("version 3"), std::string::npos) << old.err;

  ProcessResult migrated = testing::run_xmppcert_ca({"migrate", "--config", config});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  EXPECT_NE(migrated.out.find("from version 3 to " + std::to_string(ca::kSchemaVersion)),
            std::string::npos)
      << migrated.out;
  ca::PostgresStorage storage(conninfo, password);
  EXPECT_EQ(storage.account(1).value().thumbprint, "tp-3");
  EXPECT_EQ(storage.certificates().size(), 2u);
  EXPECT_EQ(storage.count_rate_events(1, "certificate", std::time(nullptr) - 3600), 1);
  EXPECT_FALSE(storage.latest_crl());
  EXPECT_TRUE(storage.add_eab_key({"kid-1", "key", 1}));
}

TEST(SqliteSchema, AVersionThreeFileIsUpgradedWhenOpenedAndKeepsItsRecords) {
  testing::TempDir dir;
  auto file = dir.path() / "ca.db";
  { ca::SqliteStorage current(file); }
  // What a version 3 CA left: none of version 4's tables, user_version 3, its records.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  std::string downgrade =
      "DROP TABLE rate_events; DROP TABLE crls; DROP TABLE eab_keys; PRAGMA user_version=3;";
  for (const char* sql : kVersionThreeRecords) downgrade += std::string(sql) + ";";
  downgrade +=
      "INSERT INTO certificates (serial, account, order_id, leaf_pem, not_after, issued) VALUES "
      "('0b', 1, 'o2', 'PEM', 1900000000, strftime('%s','now'));";
  ASSERT_EQ(sqlite3_exec(db, downgrade.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  ca::SqliteStorage upgraded(file);
  EXPECT_EQ(upgraded.account(1).value().thumbprint, "tp-3");
  EXPECT_EQ(upgraded.certificates().size(), 2u);
  EXPECT_EQ(upgraded.count_rate_events(1, "certificate", std::time(nullptr) - 3600), 1);
  EXPECT_TRUE(upgraded.add_eab_key({"kid-1", "key", 1}));
  ca::SqliteStorage again(file);  // upgraded once: the carried-over events are not doubled
  EXPECT_EQ(again.count_rate_events(1, "certificate", std::time(nullptr) - 3600), 1);
}

// A version 4 database (EAB keys, none of them reusable yet) upgraded to the current schema:
// its keys stay, each still opening one account; a key added afterwards may be reusable.
TEST_P(StorageOn, AVersionFourDatabaseKeepsItsEabKeysOneAccountEachAfterTheUpgrade) {
  if (GetParam() == Backend::kPostgres) {
    conninfo_ = PostgresServer::shared().create_database();
    ca::PostgresStorage(conninfo_, password_, true).migrate(4);
    PostgresServer::shared().query(conninfo_,
                                   "INSERT INTO eab_keys (kid, hmac_key, created) VALUES "
                                   "('member-4', decode('6b6579', 'hex'), 4)");
    ca::PostgresStorage(conninfo_, password_, true).migrate();
  } else {
    { ca::SqliteStorage current(dir_.path() / "ca.db"); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / "ca.db").c_str(), &db), SQLITE_OK);
    const char* downgrade =
        "DROP TABLE eab_keys; CREATE TABLE eab_keys (kid TEXT PRIMARY KEY, hmac_key BLOB NOT "
        "NULL, created INTEGER NOT NULL); INSERT INTO eab_keys VALUES ('member-4', 'key', 4); "
        "PRAGMA user_version=4;";
    ASSERT_EQ(sqlite3_exec(db, downgrade, nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto storage = connect();
  auto kept = storage->eab_key("member-4");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->hmac_key, "key");
  EXPECT_FALSE(kept->reusable);
  EXPECT_TRUE(storage->add_eab_key({"shared-5", "key-5", 5, true}));
  EXPECT_TRUE(connect()->eab_key("shared-5").value().reusable);
  ASSERT_EQ(connect()->eab_keys().size(), 2u);
}

// One signed newAccount: the first request that needs the database.
int new_account_status(const FoundationCa& ca, HttpResponse* out = nullptr) {
  CurlHttpClient http(HttpOptions{ca.root_file()});
  json directory = json::parse(http.get(ca.directory_url()).body);
  std::string nonce = *http.head(directory["newNonce"]).header("replay-nonce");
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  std::string url = directory["newAccount"];
  HttpResponse r = http.post(
      url, jose::sign_jws(key.get(), std::nullopt, nonce, url, R"({"termsOfServiceAgreed":true})"),
      "application/jose+json");
  if (out) *out = r;
  return r.status;
}

TEST_F(PostgresCa, TwoInstancesOnOneDatabaseTakeEachOthersNoncesOnceAndShareAccounts) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca({.backend = Backend::kPostgres});
  std::string second = "https://127.0.0.1:" + std::to_string(ca.start_another_instance());
  CurlHttpClient http(HttpOptions{ca.root_file()});
  json first_directory = json::parse(http.get(ca.directory_url()).body);
  auto nonce_from = [&](const std::string& new_nonce_url) {
    return *http.head(new_nonce_url).header("replay-nonce");
  };
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  const std::string tos = R"({"termsOfServiceAgreed":true})";

  std::string nonce = nonce_from(first_directory["newNonce"]);
  std::string url = second + "/acme/new-account";
  HttpResponse made = http.post(url, jose::sign_jws(key.get(), std::nullopt, nonce, url, tos),
                                "application/jose+json");
  ASSERT_EQ(made.status, 201) << made.body << "\n" << ca.log();

  PKeyPtr other_key = generate_private_key(KeyType::kEcP256);
  std::string first_url = first_directory["newAccount"];
  HttpResponse replayed =
      http.post(first_url, jose::sign_jws(other_key.get(), std::nullopt, nonce, first_url, tos),
                "application/jose+json");
  EXPECT_EQ(replayed.status, 400) << replayed.body;
  EXPECT_NE(replayed.body.find("badNonce"), std::string::npos) << replayed.body;

  HttpResponse found =
      http.post(first_url,
                jose::sign_jws(key.get(), std::nullopt, nonce_from(second + "/acme/new-nonce"),
                               first_url, R"({"onlyReturnExisting":true})"),
                "application/jose+json");
  EXPECT_EQ(found.status, 200) << found.body;
}

TEST_F(PostgresCa, DatabaseKilledMeans503WithRetryAfterAndTheCaRecoversWhenItIsBack) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  PostgresServer db;  // its own: this test kills it
  FoundationCa ca({.backend = Backend::kPostgres, .postgres = &db});
  ASSERT_EQ(new_account_status(ca), 201) << ca.log();

  db.kill_hard();
  HttpResponse down;
  EXPECT_EQ(new_account_status(ca, &down), 503) << down.body << "\n" << ca.log();
  EXPECT_TRUE(down.header("retry-after")) << down.body;
  EXPECT_NE(down.body.find("unavailable"), std::string::npos) << down.body;
  CurlHttpClient http(HttpOptions{ca.root_file()});
  EXPECT_EQ(http.get("https://127.0.0.1:" + std::to_string(ca.port()) + "/crl").status, 503);

  db.start();
  // PostgreSQL replays its log after a kill -9 before it takes connections again: a loaded
  // machine was seen to need more than 5 s for it.
  int status = 0;
  EXPECT_TRUE(testing::eventually([&] { return (status = new_account_status(ca)) == 201; },
                                  std::chrono::seconds(30)))
      << "last status " << status << "\n"
      << ca.log();
}

}  // namespace
}  // namespace xmppcert
