// Issue 12 #1, #5: what a CA sends is checked against what we asked before root uses it.
// A token with "../" made root write, then delete, a file outside the webroot; an
// identifier with a newline added TSIG-signed records through nsupdate.
#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/renewal_window.h"
#include "plugins/issuers/acme/ca_input.h"
#include "plugins/issuers/acme/challenges.h"
#include "plugins/issuers/acme/http01_request.h"
#include "tests/support/fake_command_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(HostileCa, AWebrootTokenWithDotDotOrASlashWritesNothingOutside) {
  TempDir dir;
  fs::create_directories(dir / "www");
  write_text(dir / "victim", "keep me\n");
  acme::WebrootWriter writer((dir / "www").string());
  for (const std::string& token : std::vector<std::string>{"../../victim", (dir / "victim").string(),
                                                          "a/b", "..", "x\ny", ""}) {
    EXPECT_THROW(writer.present("example.org", token, "key-authorization"), OperationError)
        << token;
    writer.cleanup("example.org", token, "key-authorization");
  }
  EXPECT_EQ(read_file(dir / "victim"), "keep me\n") << "neither overwritten nor deleted";
  writer.present("example.org", "abc_DEF-123", "ka");
  EXPECT_EQ(read_file(dir / "www" / ".well-known" / "acme-challenge" / "abc_DEF-123"), "ka");
}

TEST(HostileCa, AnRfc2136NameWithALineBreakIsRefusedBeforeNsupdateRuns) {
  testing::FakeCommandRunner commands;  // an nsupdate that would accept anything
  acme::Rfc2136Update update("127.0.0.1", 1, "", commands);
  try {
    update.present("example.org.\nupdate add evil.example. 60 A 192.0.2.1\nsend\nx", "t", "ka");
    FAIL() << "no error";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("not a DNS name"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(commands.calls().empty()) << "nsupdate never ran";
}

TEST(HostileCa, AnAuthorizationForANameNotRequestedIsRefused) {
  EXPECT_THROW(acme::require_requested_identifier("evil.example", false, {"example.org"},
                                                  "https://ca/authz/1"),
               OperationError);
  EXPECT_NO_THROW(acme::require_requested_identifier("example.org", false, {"example.org"}, "u"));
  // A wildcard authorization covers "*.name", which we never request.
  EXPECT_THROW(acme::require_requested_identifier("example.org", true, {"example.org"}, "u"),
               OperationError);
}

TEST(HostileCa, ARenewalWindowOfAnyWidthGivesATimeInsideIt) {
  const std::time_t start = 1'800'000'000;
  for (std::time_t width : {std::time_t{0}, std::time_t{1}, std::time_t{4294967295},
                            std::time_t{4294967296}, std::time_t{1} << 40}) {
    for (std::uint64_t random : {std::uint64_t{0}, std::uint64_t{4294967295}, UINT64_MAX}) {
      std::time_t pick = renewal_time_in_window(-1, start, start + width, random);
      EXPECT_GE(pick, start) << width;
      EXPECT_LE(pick, start + width) << width;
    }
  }
  EXPECT_EQ(renewal_time_in_window(-1, start, start - 10, 7), start);  // end before start
}

TEST(HostileCa, TokensAreBase64urlOnly) {
  EXPECT_TRUE(acme::is_challenge_token("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"));
  EXPECT_FALSE(acme::is_challenge_token("a.b"));
  EXPECT_FALSE(acme::is_challenge_token(std::string(257, 'a')));
}

TEST(Http01Request, OnlyAWellFormedGetForABase64urlTokenIsAnswered) {
  EXPECT_EQ(acme::http01_token_of("GET /.well-known/acme-challenge/abc HTTP/1.1\r\n\r\n"), "abc");
  EXPECT_FALSE(acme::http01_token_of("GET /.well-known/acme-challenge/../x HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(acme::http01_token_of("POST /.well-known/acme-challenge/abc HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(acme::http01_token_of("GET /.well-known/acme-challenge/abc\r\n\r\n"));
}

}  // namespace
}  // namespace xmppcert::testing
