// Anti-replay nonces (ca/wfe/nonces.h): once each, and a flood of new ones evicts no one's.
// Backend: none (in memory); nonces shared through PostgreSQL are
// PostgresCa.TwoInstancesOnOneDatabaseTakeEachOthersNoncesOnceAndShareAccounts.
#include "ca/wfe/nonces.h"

#include <gtest/gtest.h>

namespace xmppcert::ca {
namespace {

TEST(Nonces, AFloodOfNewNoncesEvictsNoOnesNonce) {
  NonceService nonces(1000);
  std::string mine = nonces.issue();
  for (int i = 0; i < 200000; ++i) nonces.issue();
  EXPECT_TRUE(nonces.consume(mine));
  EXPECT_FALSE(nonces.consume(mine)) << "a nonce is accepted once";
}

TEST(Nonces, ForgedOrUnissuedNoncesAreRefusedAndOnlyTheOldestUsedOnesAgeOut) {
  NonceService nonces(10);
  std::string issued = nonces.issue();
  std::string forged = issued;
  forged[20] = forged[20] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(nonces.consume(forged));
  EXPECT_FALSE(nonces.consume("not-a-nonce"));
  std::string old = nonces.issue();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(nonces.consume(nonces.issue()));
  EXPECT_FALSE(nonces.consume(old)) << "older than the oldest remembered use";
  EXPECT_TRUE(nonces.consume(nonces.issue()));
}

}  // namespace
}  // namespace xmppcert::ca
