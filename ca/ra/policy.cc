#include "ca/ra/policy.h"

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <functional>
#include <set>

#include "ca/problem.h"
#include "engine/errors.h"
#include "engine/san.h"

namespace xmppcert::ca {
namespace {

constexpr int kMaxSubjectAltNames = 400;

bool within(const std::string& name, const std::string& domain) {
  return name == domain || (name.size() > domain.size() && name.ends_with(domain) &&
                            name[name.size() - domain.size() - 1] == '.');
}

std::string describe(GENERAL_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  GENERAL_NAME_print(bio.get(), name);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

bool is_other_name(GENERAL_NAME* name, int nid) {
  return name->type == GEN_OTHERNAME && OBJ_obj2nid(name->d.otherName->type_id) == nid;
}

[[noreturn]] void refuse(const std::string& detail) { throw AcmeProblem("badCSR", detail); }

// A name as it may appear in a problem document: control bytes as \xNN.
std::string printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Refuses a name with a control byte (an embedded NUL first: "a.example\0.victim" must not
// be read as "a.example"), one not in its canonical form (`canonical` of it: lower case,
// A-labels for DNS-IDs and SRV-IDs, U-labels for XmppAddr, no trailing dot) and one listed
// twice. `kind` is "DNS:", "SRV-ID " or "XmppAddr ".
void check_canonical(const std::string& kind, const std::string& name,
                     const std::function<std::string(const std::string&)>& canonical,
                     std::set<std::string>& seen) {
  if (std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    refuse("CSR asks for " + kind + printable(name) + ", which holds a control character");
  std::string expected;
  try {
    expected = canonical(name);
  } catch (const UsageError& error) {
    refuse("CSR asks for " + kind + name + ": " + error.what());
  }
  if (name != expected)
    refuse("CSR asks for " + kind + name + ", not in canonical form (" + kind + expected + ")");
  if (!seen.insert(kind + name).second) refuse("CSR asks for " + kind + name + " twice");
}

// RSA 2048..4096 bits with exponent 65537, EC P-256 or P-384; badPublicKey naming the key
// otherwise.
void check_subscriber_key(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    int bits = EVP_PKEY_get_bits(key);
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    bool f4 = e && BN_is_word(e, RSA_F4);
    BN_free(e);
    if (bits < 2048 || bits > 4096 || !f4)
      throw AcmeProblem("badPublicKey",
                        "CSR key RSA-" + std::to_string(bits) +
                            (f4 ? "" : " (exponent not 65537)") +
                            " is refused: RSA 2048 to 4096 bits with exponent 65537, or EC "
                            "P-256/P-384");
    return;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = "";
    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr);
    std::string curve = group;
    if (curve == "prime256v1" || curve == "P-256" || curve == "secp384r1" || curve == "P-384")
      return;
    throw AcmeProblem("badPublicKey", "CSR key on curve " + (curve.empty() ? "?" : curve) +
                                          " is refused: EC P-256/P-384 or RSA 2048 to 4096 bits");
  }
  throw AcmeProblem("badPublicKey", std::string("CSR key of type ") + EVP_PKEY_get0_type_name(key) +
                                        " is refused: RSA 2048 to 4096 bits or EC P-256/P-384");
}

}  // namespace

std::string check_order_identifier(const std::string& type, const std::string& value,
                                   const std::vector<std::string>& permitted_domains) {
  if (type != "dns")
    throw AcmeProblem("unsupportedIdentifier", "identifier type \"" + type + "\" is not dns");
  if (std::any_of(value.begin(), value.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    throw AcmeProblem("rejectedIdentifier",
                      "\"" + printable(value) + "\" holds a control character");
  DomainName domain;
  try {
    domain = parse_domain(value);
  } catch (const UsageError& error) {
    throw AcmeProblem("rejectedIdentifier", error.what());
  }
  if (domain.ascii.find('.') == std::string::npos)
    throw AcmeProblem("rejectedIdentifier", "\"" + value + "\" is not a fully qualified domain");
  if (!permitted_domains.empty() &&
      std::none_of(permitted_domains.begin(), permitted_domains.end(),
                   [&](const std::string& d) { return within(domain.ascii, d); }))
    throw AcmeProblem("rejectedIdentifier",
                      "\"" + domain.ascii + "\" is outside the domains this CA serves");
  return domain.ascii;
}

XmppIdentities approve_csr(X509_REQ* csr, const std::vector<std::string>& validated,
                           EVP_PKEY* account_key) {
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr);
  if (!key || X509_REQ_verify(csr, key) != 1) {
    openssl_error_text();
    refuse("CSR signature invalid");
  }
  if (account_key && EVP_PKEY_eq(key, account_key) == 1)
    refuse("CSR public key is the account key; use a separate key for the certificate");
  check_subscriber_key(key);

  auto is_validated = [&](const std::string& name) {
    return std::find(validated.begin(), validated.end(), name) != validated.end();
  };
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(csr);
  int san_extensions = 0;
  GeneralNamesPtr owned;
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(extensions, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name &&
        ++san_extensions == 1)
      owned.reset(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
  }
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  if (san_extensions > 1) refuse("CSR carries more than one subjectAltName extension");
  GENERAL_NAMES* names = owned.get();
  if (!names) refuse("CSR carries no subjectAltName");
  // At most a DNS-ID, two SRV-IDs and an XmppAddr for each of an order's 100 identifiers;
  // checked before anything is decoded (a CSR of 20,000 copies of one name is 489 KB).
  if (sk_GENERAL_NAME_num(names) > kMaxSubjectAltNames)
    refuse("CSR asks for " + std::to_string(sk_GENERAL_NAME_num(names)) +
           " subjectAltNames; at most " + std::to_string(kMaxSubjectAltNames));

  XmppIdentities ids;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    bool known = name->type == GEN_DNS || is_other_name(name, NID_SRVName) ||
                 is_other_name(name, NID_XmppAddr);
    if (!known) refuse("CSR asks for " + describe(name) + ", which this CA does not issue");
  }
  XmppIdentities requested = decode_subject_alt_names(names);
  std::set<std::string> seen;
  auto ascii = [](const std::string& name) { return parse_domain(name).ascii; };
  for (const auto& dns : requested.dns_ids) check_canonical("DNS:", dns, ascii, seen);
  for (const auto& srv : requested.srv_ids)
    check_canonical(
        "SRV-ID ", srv,
        [&](const std::string& name) {
          size_t dot = name.find('.');
          if (dot == std::string::npos) return name + ".";  // never equal: refused
          return name.substr(0, dot + 1) + ascii(name.substr(dot + 1));
        },
        seen);
  for (const auto& addr : requested.xmpp_addrs)
    check_canonical(
        "XmppAddr ", addr, [](const std::string& name) { return parse_domain(name).unicode; },
        seen);
  for (const auto& dns : requested.dns_ids)
    if (!is_validated(dns)) refuse("CSR asks for DNS:" + dns + ", not validated in this order");
  for (const auto& srv : requested.srv_ids) {
    std::string domain;
    for (const char* prefix : {"_xmpp-client.", "_xmpp-server."})
      if (srv.starts_with(prefix)) domain = srv.substr(std::string(prefix).size());
    if (domain.empty() || !is_validated(domain))
      refuse("CSR asks for SRV-ID " + srv + ", not an XMPP service of a validated domain");
  }
  for (const auto& addr : requested.xmpp_addrs) {
    std::string ascii;
    try {
      ascii = parse_domain(addr).ascii;
    } catch (const UsageError&) {
    }
    if (ascii.empty() || !is_validated(ascii))
      refuse("CSR asks for XmppAddr " + addr + ", not a validated domain");
  }
  for (const auto& name : validated)
    if (std::find(requested.dns_ids.begin(), requested.dns_ids.end(), name) ==
        requested.dns_ids.end())
      refuse("CSR lacks DNS:" + name + ", an identifier of the order");

  X509_NAME* subject = X509_REQ_get_subject_name(csr);
  for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
    unsigned char* utf8 = nullptr;
    int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    std::string cn(reinterpret_cast<char*>(utf8), length > 0 ? length : 0);
    OPENSSL_free(utf8);
    std::string lower = cn;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (!is_validated(lower)) refuse("CSR subject CN " + cn + " is not a validated dNSName");
  }
  return requested;
}

}  // namespace xmppcert::ca
