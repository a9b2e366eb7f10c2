// `xmppcert check --dane`'s reading of dig's answer (rcode, AD bit, "3 1 1" data) and of a
// POSH document.
#include "dane/dane_check.h"

#include <gtest/gtest.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

const std::string kValidated = R"(
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +dnssec -p 53 @127.0.0.1 _5269._tcp.b.xmpp.example TLSA
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4711
;; flags: qr rd ra ad; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags: do; udp: 1232
;; QUESTION SECTION:
;_5269._tcp.b.xmpp.example.	IN	TLSA

;; ANSWER SECTION:
_5269._tcp.b.xmpp.example. 2	IN	TLSA	3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B566 64C5D3D6
_5269._tcp.b.xmpp.example. 2	IN	TLSA	2 0 1 1111111111111111111111111111111111111111111111111111111111111111
_5269._tcp.b.xmpp.example. 2	IN	RRSIG	TLSA 13 5 2 20261211093520 20261127083520 60740 xmpp.example. abc=

;; Query time: 0 msec
)";

TEST(DaneCheck, ReadsTheRcodeTheAdBitAndOnlyTheThreeOneOneRecords) {
  TlsaAnswer answer = parse_dig_tlsa_answer(kValidated);
  EXPECT_EQ(answer.status, "NOERROR");
  EXPECT_TRUE(answer.authenticated);
  ASSERT_EQ(answer.spki_hashes.size(), 1u);
  EXPECT_EQ(answer.spki_hashes[0],
            "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6");
}

TEST(DaneCheck, AnAnswerWithoutTheAdFlagIsNotAuthenticated) {
  std::string plain = kValidated;
  plain.replace(plain.find("qr rd ra ad;"), 12, "qr rd ra;");
  TlsaAnswer answer = parse_dig_tlsa_answer(plain);
  EXPECT_FALSE(answer.authenticated);
  EXPECT_EQ(answer.spki_hashes.size(), 1u);
}

TEST(DaneCheck, AnNxdomainAnswerHasNoRecords) {
  TlsaAnswer answer = parse_dig_tlsa_answer(
      ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n"
      ";; flags: qr rd ra ad; QUERY: 1, ANSWER: 0, AUTHORITY: 4, ADDITIONAL: 1\n"
      ";; AUTHORITY SECTION:\nxmpp.example. 60 IN SOA ns.xmpp.example. a. 1 60 60 600 60\n");
  EXPECT_EQ(answer.status, "NXDOMAIN");
  EXPECT_TRUE(answer.spki_hashes.empty());
}

TEST(DaneCheck, ReadsThePoshFingerprintsAndNamesTheUrlOfABadDocument) {
  EXPECT_EQ(posh_fingerprints(R"({"fingerprints":[{"sha-256":"YQ=="},{"sha-256":"Yg=="}],)"
                              R"("expires":60})",
                              "https://x/posh"),
            (std::vector<std::string>{"YQ==", "Yg=="}));
  try {
    posh_fingerprints("<html>not found</html>", "https://x.example/.well-known/posh/a.json");
    FAIL() << "no error";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("https://x.example/.well-known/posh/a.json"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace xmppcert
