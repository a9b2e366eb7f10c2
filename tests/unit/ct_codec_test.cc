// The RFC 6962 encodings of the log (ct/ct_codec.h): a leaf's bytes and their parse, the
// tree head signature input, extra_data, and the v1 API's query strings and base64.
#include "ct/ct_codec.h"

#include <gtest/gtest.h>

namespace xmppcert::ctlog {
namespace {

TEST(CtCodec, AnX509LeafIsVersionTypeTimestampEntryTypeCertificateAndNoExtensions) {
  std::string leaf = x509_leaf_input(0x0102030405060708, "DER");
  EXPECT_EQ(leaf, std::string("\0\0\1\2\3\4\5\6\7\x08\0\0\0\0\3DER\0\0", 20));
  auto parsed = parse_x509_leaf_input(leaf);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->timestamp_ms, 0x0102030405060708u);
  EXPECT_EQ(parsed->cert_der, "DER");
  EXPECT_FALSE(parse_x509_leaf_input(leaf.substr(0, leaf.size() - 1)));
  EXPECT_FALSE(parse_x509_leaf_input(leaf + "x"));
  std::string precert = leaf;
  precert[11] = 1;  // entry type precert_entry
  EXPECT_FALSE(parse_x509_leaf_input(precert));
  // What an SCT signs is the leaf with signature type certificate_timestamp in front.
  EXPECT_EQ(sct_signature_input(0x0102030405060708, "DER"), leaf);
}

TEST(CtCodec, TreeHeadSignatureInputAndExtraDataAreTlsEncoded) {
  Hash root{};
  root[0] = 0xaa;
  std::string input = tree_head_signature_input(1, 2, root);
  ASSERT_EQ(input.size(), 50u);
  EXPECT_EQ(input.substr(0, 18), std::string("\0\1\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\2", 18));
  EXPECT_EQ(static_cast<unsigned char>(input[18]), 0xaa);
  EXPECT_EQ(x509_chain_extra_data({"AB", "C"}), std::string("\0\0\x09\0\0\2AB\0\0\1C", 12));
  EXPECT_EQ(digitally_signed(3, "sig"), std::string("\4\3\0\3sig", 7));
}

TEST(CtCodec, QueriesArePercentDecodedAndBadEscapesRefused) {
  auto params = parse_query("hash=ab%2Bc%2F%3D&tree_size=5&&flag");
  ASSERT_TRUE(params);
  EXPECT_EQ((*params)["hash"], "ab+c/=");
  EXPECT_EQ((*params)["tree_size"], "5");
  EXPECT_EQ((*params)["flag"], "");
  EXPECT_EQ((*parse_query("hash=a+b"))["hash"], "a+b");
  EXPECT_FALSE(parse_query("a=%zz"));
  EXPECT_FALSE(parse_query("a=%2"));
  EXPECT_FALSE(parse_query("a=%"));
}

TEST(CtCodec, Base64DecodesPaddedTextAndRefusesTheRest) {
  EXPECT_EQ(base64_decode("AAEC"), std::string("\0\1\2", 3));
  EXPECT_EQ(base64_decode("AAE="), std::string("\0\1", 2));
  EXPECT_EQ(base64_decode("AA=="), std::string("\0", 1));
  EXPECT_EQ(base64_decode(""), std::string());
  EXPECT_FALSE(base64_decode("AAE"));
  EXPECT_FALSE(base64_decode("A*E="));
  Hash hash{};
  EXPECT_EQ(base64_decode(base64_of(hash)), std::string(32, '\0'));
}

}  // namespace
}  // namespace xmppcert::ctlog
