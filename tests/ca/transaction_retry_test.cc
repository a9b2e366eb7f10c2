// A PostgreSQL transaction that loses a serialization conflict is run again (Storage::
// transaction): whatever its body changed in memory on the lost attempt must not leak into
// the attempt that commits. Here PostgreSQL itself fails the k-th write of an issuance with
// SQLSTATE 40001, for every k, as a concurrent instance's transaction would (two instances on
// one database conflict all the time: bench/ca_throughput.sh's postgresql-2). Each issuance
// must end as one without the conflict does: one authorization that exists, one certificate,
// its rate event, nothing left running. The write that fails is counted by a sequence, which
// a rollback does not reset, so the attempt run again passes.
#include <gtest/gtest.h>

#include "tests/ca/in_process_ca.h"
#include "tests/ca/postgres_server.h"

namespace xmppcert::testing {
namespace {

using nlohmann::json;

// Every INSERT, UPDATE and DELETE of the tables an issuance writes passes the trigger; the
// one numbered like fail_at fails.
constexpr const char* kInjectConflicts = R"(
CREATE SEQUENCE writes;
CREATE SEQUENCE fail_at;
CREATE FUNCTION conflict_at_one_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('writes') = (SELECT last_value FROM fail_at) THEN
    RAISE EXCEPTION 'injected serialization failure at write %', currval('writes')
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER conflict BEFORE INSERT OR UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION conflict_at_one_write();
CREATE TRIGGER conflict BEFORE INSERT OR UPDATE OR DELETE ON rate_events
  FOR EACH ROW EXECUTE FUNCTION conflict_at_one_write();
CREATE TRIGGER conflict BEFORE INSERT OR UPDATE OR DELETE ON certificates
  FOR EACH ROW EXECUTE FUNCTION conflict_at_one_write();
CREATE TRIGGER conflict BEFORE INSERT OR UPDATE OR DELETE ON ct_entries
  FOR EACH ROW EXECUTE FUNCTION conflict_at_one_write();
)";

class RetriedTransactions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = backend_missing(Backend::kPostgres); !missing.empty())
      GTEST_SKIP() << missing;
    ca_ = std::make_unique<InProcessCa>(ca::ServiceOptions{}, Backend::kPostgres);
    sql(kInjectConflicts);
  }
  std::string sql(const std::string& statements) {
    return PostgresServer::shared().query(ca_->conninfo(), statements);
  }
  // The next issuance's `k`-th write fails once (1-based); how many writes it made.
  void fail_write(int k) {
    sql("SELECT setval('writes', 1, false); SELECT setval('fail_at', " + std::to_string(k) + ")");
  }
  long long writes_made() { return std::stoll(sql("SELECT last_value FROM writes")); }

  std::unique_ptr<InProcessCa> ca_;
};

TEST_F(RetriedTransactions, AnIssuanceEndsAsWithoutConflictWhicheverOfItsWritesLosesOne) {
  ClientAccount account = ca_->new_account();
  long long writes = 0;
  for (int k = 1; k == 1 || k <= writes; ++k) {
    SCOPED_TRACE("the conflict at write " + std::to_string(k));
    std::string domain = "write" + std::to_string(k) + ".example.test";
    fail_write(k);
    Reply order = ca_->new_order(account, {domain});
    ASSERT_EQ(order.status, 201) << order.raw;
    ASSERT_EQ(order.body["authorizations"].size(), 1u) << order.raw;
    Reply authz = ca_->post(account, order.body["authorizations"][0], "");
    ASSERT_EQ(authz.status, 200) << authz.raw;
    ca_->answer_challenges(account, order.body);
    EXPECT_EQ(ca_->post(account, order.body["authorizations"][0], "").body["status"], "valid");
    Reply done = ca_->finalize(account, order.body);
    ASSERT_EQ(done.status, 200) << done.raw;
    EXPECT_EQ(done.body["status"], "valid");
    ASSERT_TRUE(done.body["certificate"].is_string()) << done.raw;
    EXPECT_EQ(ca_->post(account, done.body["certificate"], "").status, 200);
    Reply again = ca_->post(account, order.body["url"], "");
    EXPECT_EQ(again.body["status"], "valid") << again.raw;
    if (k == 1) writes = writes_made();
  }
  ASSERT_GE(writes, 5);  // authorization, order, challenge, outcome, certificate at least
  // One certificate per issuance, each logged once, each counted once; nothing left running.
  long long issued = writes;
  EXPECT_EQ(static_cast<long long>(ca_->storage().certificates().size()), issued);
  EXPECT_EQ(static_cast<long long>(ca_->storage().log_size()), issued);
  long long account_id = std::stoll(account.kid.substr(account.kid.rfind('/') + 1));
  EXPECT_EQ(ca_->storage().count_rate_events(account_id, "certificate", 0), issued);
  EXPECT_EQ(ca_->storage().count_rate_events(account_id, "validating", 0), 0);
  EXPECT_EQ(ca_->storage().count_rate_events(account_id, "failed", 0), 0);
}

}  // namespace
}  // namespace xmppcert::testing
