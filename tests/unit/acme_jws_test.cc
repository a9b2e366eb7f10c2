#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/http.h"
#include "engine/keys.h"
#include "jose/jws.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/acme/challenges.h"
#include "plugins/issuers/acme/transport.h"
#include "tests/support/fake_command_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert::acme {
namespace {

bool es256_verifies(EVP_PKEY* key, const std::string& input, const std::string& raw_signature) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_signature.data()), 32, nullptr),
      BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_signature.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  bool ok =
      EVP_DigestVerify(ctx, der, static_cast<size_t>(der_length),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

TEST(Base64Url, EncodesWithoutPaddingAndDecodesBack) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8", "x"), "\xfb\xff");
  EXPECT_THROW(base64url_decode("a b", "EAB key"), UsageError);
}

TEST(Jws, Es256SignatureIsRawRAndSAndVerifiesWithTheAccountKey) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto jws = nlohmann::json::parse(
      jose::sign_jws(key.get(), std::nullopt, "nonce1", "https://ca/new-acct", "{\"a\":1}"));
  auto header = nlohmann::json::parse(base64url_decode(jws["protected"].get<std::string>(), "h"));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["nonce"], "nonce1");
  EXPECT_EQ(header["url"], "https://ca/new-acct");
  EXPECT_TRUE(header.contains("jwk"));
  EXPECT_FALSE(header.contains("kid"));
  std::string signature = base64url_decode(jws["signature"].get<std::string>(), "s");
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_TRUE(es256_verifies(
      key.get(), jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>(),
      signature));
}

TEST(Jws, KidReplacesTheJwkAndPostAsGetHasAnEmptyPayload) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto jws = nlohmann::json::parse(
      jose::sign_jws(key.get(), std::string("https://ca/acct/1"), "n", "https://ca/order/1", ""));
  auto header = nlohmann::json::parse(base64url_decode(jws["protected"].get<std::string>(), "h"));
  EXPECT_EQ(header["kid"], "https://ca/acct/1");
  EXPECT_FALSE(header.contains("jwk"));
  EXPECT_EQ(jws["payload"], "");
}

TEST(Jws, RsaAccountKeysSignRs256) {
  PKeyPtr key = generate_private_key(KeyType::kRsa2048);
  EXPECT_EQ(jose::jws_algorithm(key.get()), "RS256");
  EXPECT_EQ(jose::public_jwk(key.get())["kty"], "RSA");
}

TEST(Jws, ThumbprintIsTheSha256OfTheCanonicalJwk) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  std::string canonical = jose::public_jwk(key.get()).dump();
  EXPECT_EQ(canonical.rfind("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"", 0), 0u) << canonical;
  EXPECT_EQ(base64url_decode(jose::jwk_thumbprint(key.get()), "t").size(), 32u);
}

TEST(Jws, ExternalAccountBindingIsHs256OverTheAccountJwk) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto eab = jose::external_account_binding(key.get(), "kid-1", base64url_encode("secret-mac-key"),
                                      "https://ca/new-acct");
  auto header = nlohmann::json::parse(base64url_decode(eab["protected"].get<std::string>(), "h"));
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["kid"], "kid-1");
  EXPECT_EQ(nlohmann::json::parse(base64url_decode(eab["payload"].get<std::string>(), "p")),
            jose::public_jwk(key.get()));
  EXPECT_EQ(base64url_decode(eab["signature"].get<std::string>(), "s").size(), 32u);
}

TEST(Dns01, TxtValueIsTheBase64UrlSha256OfTheKeyAuthorization) {
  // RFC 8555 §8.4 shape: 43 characters, no padding.
  std::string value = Dns01Hook::txt_value("token.thumbprint");
  EXPECT_EQ(value.size(), 43u);
  EXPECT_EQ(value.find('='), std::string::npos);
}

TEST(Dns01, TheHookAddsThenDeletesTheTxtRecordOfTheChallengeName) {
  testing::FakeCommandRunner commands;
  Dns01Hook hook({"/usr/local/bin/dns-hook", "--zone=example.org"}, commands);
  hook.present("example.org", "token", "token.thumbprint");
  hook.cleanup("example.org", "token", "token.thumbprint");
  const std::string txt = Dns01Hook::txt_value("token.thumbprint");
  auto calls = commands.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].argv,
            (std::vector<std::string>{"/usr/local/bin/dns-hook", "--zone=example.org", "add",
                                      "_acme-challenge.example.org.", txt}));
  EXPECT_EQ(calls[1].argv[2], "del");
  commands.answer("/usr/local/bin/dns-hook", {1, "zone locked\n"});
  EXPECT_THROW(hook.present("example.org", "token", "token.thumbprint"), OperationError);
}

TEST(Dns01, AnRfc2136UpdateSendsOneTxtLineToNsupdateOnItsInput) {
  testing::FakeCommandRunner commands;
  Rfc2136Update update("192.0.2.53", 5353, "", commands);
  update.present("example.org", "token", "token.thumbprint");
  auto calls = commands.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].argv, (std::vector<std::string>{"nsupdate", "-t", "30"}));
  EXPECT_EQ(calls[0].input,
            "server 192.0.2.53 5353\nupdate add _acme-challenge.example.org. 60 "
            "TXT \"" +
                Dns01Hook::txt_value("token.thumbprint") + "\"\nsend\n");
}

TEST(HttpResponse, LinksAreFoundByRel) {
  HttpResponse r;
  r.headers.emplace("link", "<https://ca/dir>;rel=\"index\"");
  r.headers.emplace("link",
                    "<https://ca/cert/1/alt>; rel=\"alternate\", <https://ca/issuer>;rel=\"up\"");
  EXPECT_EQ(r.links("alternate"), std::vector<std::string>{"https://ca/cert/1/alt"});
  EXPECT_EQ(r.links("up"), std::vector<std::string>{"https://ca/issuer"});
  EXPECT_EQ(r.links("index"), std::vector<std::string>{"https://ca/dir"});
}

TEST(RetryAfter, SecondsAreClampedAndDatesIgnored) {
  HttpResponse r;
  r.headers.emplace("retry-after", "3");
  EXPECT_EQ(retry_after_seconds(r, 10), 3);
  r.headers.clear();
  r.headers.emplace("retry-after", "86400");
  EXPECT_EQ(retry_after_seconds(r, 60), 60);
  r.headers.clear();
  r.headers.emplace("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(retry_after_seconds(r, 60), std::nullopt);
}

TEST(AcmeSettings, BadSettingsAreUsageErrorsNamingTheKey) {
  auto error_of = [](const nlohmann::json& settings) {
    try {
      parse_acme_settings(settings, "c.json: certificates.\"a\".acme");
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of({{"directory", "http://insecure/dir"}}).find("acme.directory"),
            std::string::npos);
  EXPECT_NE(error_of({{"directory", "https://ca/dir"}, {"eab_kid", "k"}}).find("go together"),
            std::string::npos);
  EXPECT_NE(error_of({{"directory", "https://ca/dir"}, {"http01_port", 70000}}).find("http01_port"),
            std::string::npos);
  EXPECT_NE(error_of({{"directory", "https://ca/dir"}, {"dns_hook", "x"}})
                .find("unknown key \"dns_hook\""),
            std::string::npos);
  EXPECT_EQ(error_of({{"directory", "https://ca/dir"}, {"agree_tos", true}}), "");
}

TEST(WebrootWriter, ASymlinkPlantedInTheWebrootIsNeitherWrittenThroughNorDeletedThrough) {
  for (const char* planted : {".well-known", ".well-known/acme-challenge"}) {
    testing::TempDir dir;
    std::filesystem::create_directories(dir / "www/.well-known");
    std::filesystem::create_directories(dir / "elsewhere");
    std::filesystem::path link = dir / "www" / planted;
    std::filesystem::remove(link);
    std::filesystem::create_directory_symlink(dir / "elsewhere", link);
    WebrootWriter writer((dir / "www").string());
    EXPECT_THROW(writer.present("a.example.test", "tok-123", "tok-123.thumb"), OperationError)
        << planted;
    EXPECT_TRUE(std::filesystem::is_empty(dir / "elsewhere")) << planted;
    // What cleanup would delete through the link.
    std::filesystem::path victim = std::string(planted) == ".well-known"
                                       ? dir / "elsewhere/acme-challenge/tok-123"
                                       : dir / "elsewhere/tok-123";
    std::filesystem::create_directories(victim.parent_path());
    testing::write_text(victim, "someone else's");
    writer.cleanup("a.example.test", "tok-123", "tok-123.thumb");
    EXPECT_TRUE(std::filesystem::exists(victim)) << planted;
  }
}

}  // namespace
}  // namespace xmppcert::acme

namespace xmppcert::acme {
namespace {

TEST(WebrootWriter, PutsTheKeyAuthorizationWhereTheCaLooksAndRemovesItAfterwards) {
  testing::TempDir dir;
  WebrootWriter writer(dir.path().string());
  writer.present("a.example.test", "tok-123", "tok-123.thumb");
  auto file = dir / ".well-known/acme-challenge/tok-123";
  EXPECT_EQ(read_file(file), "tok-123.thumb");
  EXPECT_EQ(testing::file_mode(file), 0644u);
  writer.cleanup("a.example.test", "tok-123", "tok-123.thumb");
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(WebrootWriter, TheNextRunRemovesTokensAKilledRunOfOursLeftAndNothingElse) {
  testing::TempDir dir;
  auto challenges = dir / ".well-known/acme-challenge";
  std::filesystem::create_directories(challenges);
  std::filesystem::create_directories(dir / "elsewhere");
  // Left by a run killed before its cleanup: ours (our account key's thumbprint).
  testing::write_text(challenges / "killed-run", "killed-run.thumb");
  // Not ours: another account's token, a file of the site, a symlink named like a token
  // pointing at a file whose content would match.
  testing::write_text(challenges / "other-account", "other-account.someone-else");
  testing::write_text(challenges / "README", "a file of the site");
  testing::write_text(dir / "elsewhere/planted", "planted.thumb");
  std::filesystem::create_symlink(dir / "elsewhere/planted", challenges / "planted");
  WebrootWriter writer(dir.path().string());
  writer.present("a.example.test", "tok-1", "tok-1.thumb");
  writer.present("b.example.test", "tok-2", "tok-2.thumb");  // this run's first token stays
  EXPECT_FALSE(std::filesystem::exists(challenges / "killed-run"));
  EXPECT_EQ(read_file(challenges / "tok-1"), "tok-1.thumb");
  EXPECT_EQ(read_file(challenges / "tok-2"), "tok-2.thumb");
  EXPECT_TRUE(std::filesystem::exists(challenges / "other-account"));
  EXPECT_TRUE(std::filesystem::exists(challenges / "README"));
  EXPECT_TRUE(std::filesystem::is_symlink(challenges / "planted"));
  EXPECT_TRUE(std::filesystem::exists(dir / "elsewhere/planted"));
}

}  // namespace
}  // namespace xmppcert::acme
