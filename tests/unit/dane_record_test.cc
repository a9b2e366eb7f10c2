// The engine keeps DANE's sections opaque (engine/extensions.h); record.json keeps the shape it
// had when DANE's fields were the engine's own, so existing state dirs keep working.
#include <gtest/gtest.h>

#include "dane/dane_settings.h"
#include "dane/dane_state.h"
#include "engine/clock.h"
#include "engine/fs.h"
#include "engine/record_json.h"
#include "engine/store.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

// A record.json as xmppcert wrote it before dane/ (request "dane" and "posh", record "dane").
constexpr const char* kRecordBeforeTheDaneModule = R"({
  "name": "example.org",
  "request": {
    "domains": ["example.org"], "components": [], "issuer": "local", "key_type": "ec-p256",
    "reuse_key": false, "validity": "90d",
    "dane": {"publish": "rfc2136", "ports": [5269, 5222], "ttl": 300, "server": "127.0.0.1",
             "port": 5353, "key_file": "/etc/xmppcert/tsig.key", "zone": "example.org",
             "srv_targets": ["xmpp.example.net"]},
    "posh": {"dir": "/var/www/example.org/.well-known/posh", "expires": "12h"}
  },
  "current_version": 2,
  "dropped_identities": [],
  "next_renewal": "2026-03-01T00:00:00Z",
  "renewal_info_retry_after": 0,
  "last_success": "2026-01-01T00:00:00Z",
  "consecutive_failures": 0,
  "revoked": false,
  "certificate": {
    "serial": "01", "subject": "CN=example.org", "issuer": "CN=local",
    "not_before": "2026-01-01T00:00:00Z", "not_after": "2026-04-01T00:00:00Z",
    "sha256": "00", "names": {"dns": ["example.org"], "srv": [], "xmpp_addr": []},
    "server_auth": true, "client_auth": true
  },
  "dane": {
    "current": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "next": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "published": ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                  "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"],
    "published_at": "2026-01-01T00:00:10Z",
    "next_visible_since": "2026-01-01T00:05:00Z",
    "retired": "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
    "retire_at": "2026-01-01T00:10:00Z",
    "last_query": "2026-01-01T00:05:00Z",
    "waiting": "waiting to switch keys: not visible for 2 x TTL yet"
  }
})";

TEST(DaneRecord, ARecordWrittenBeforeTheDaneModuleLoadsWithItsDaneStateAndWritesBackTheSame) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "certs/example.org");
  testing::write_text(dir / "certs/example.org/record.json", kRecordBeforeTheDaneModule);
  StateDirStore store(dir.path());
  std::optional<CertificateRecord> record = store.load("example.org");
  ASSERT_TRUE(record);

  std::optional<DaneState> state = dane_state_of(*record);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->current, std::string(64, 'a'));
  EXPECT_EQ(state->next, std::string(64, 'b'));
  EXPECT_EQ(state->published.size(), 3u);
  EXPECT_EQ(state->published_at, parse_utc("2026-01-01T00:00:10Z"));
  EXPECT_EQ(state->next_visible_since, parse_utc("2026-01-01T00:05:00Z"));
  EXPECT_EQ(state->retired, std::string(64, 'c'));
  EXPECT_EQ(state->retire_at, parse_utc("2026-01-01T00:10:00Z"));
  EXPECT_EQ(state->last_query, parse_utc("2026-01-01T00:05:00Z"));
  EXPECT_EQ(state->waiting, "waiting to switch keys: not visible for 2 x TTL yet");

  std::optional<DaneSettings> dane = dane_settings_of(record->request);
  ASSERT_TRUE(dane);
  EXPECT_EQ(dane->publish, "rfc2136");
  EXPECT_EQ(dane->ports, (std::vector<int>{5269, 5222}));
  EXPECT_EQ(dane->ttl, std::chrono::seconds(300));
  EXPECT_EQ(dane->server, "127.0.0.1");
  EXPECT_EQ(dane->port, 5353);
  EXPECT_EQ(dane->key_file, "/etc/xmppcert/tsig.key");
  EXPECT_EQ(dane->zone, "example.org");
  EXPECT_EQ(dane->srv_targets, std::vector<std::string>{"xmpp.example.net"});
  std::optional<PoshSettings> posh = posh_settings_of(record->request);
  ASSERT_TRUE(posh);
  EXPECT_EQ(posh->dir, "/var/www/example.org/.well-known/posh");
  EXPECT_EQ(posh->expires, std::chrono::hours(12));

  store.save(*record);
  EXPECT_EQ(nlohmann::json::parse(read_file(dir / "certs/example.org/record.json")),
            nlohmann::json::parse(kRecordBeforeTheDaneModule))
      << "saved again, the record has the shape it was read in";
}

TEST(DaneRecord, ARecordWithoutDaneHasNoDaneSections) {
  CertificateRecord record;
  record.name = "example.org";
  record.request.name = "example.org";
  record.request.domains = {"example.org"};
  CertificateRecord back = record_from_json(record_to_json(record), "record");
  EXPECT_FALSE(dane_state_of(back));
  EXPECT_FALSE(dane_settings_of(back.request));
  EXPECT_FALSE(posh_settings_of(back.request));
  EXPECT_FALSE(record_to_json(back).contains("dane"));
}

}  // namespace
}  // namespace xmppcert
