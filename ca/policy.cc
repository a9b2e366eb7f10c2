#include "ca/policy.h"

#include <openssl/objects.h>

#include <algorithm>

#include "ca/problem.h"
#include "engine/errors.h"
#include "engine/san.h"

namespace xmppcert::ca {
namespace {

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

}  // namespace

std::string check_order_identifier(const std::string& type, const std::string& value,
                                   const std::vector<std::string>& permitted_domains) {
  if (type != "dns")
    throw AcmeProblem("unsupportedIdentifier", "identifier type \"" + type + "\" is not dns");
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

  auto is_validated = [&](const std::string& name) {
    return std::find(validated.begin(), validated.end(), name) != validated.end();
  };
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(csr);
  GENERAL_NAMES* names = nullptr;
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(extensions, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name)
      names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext));
  }
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  if (!names) refuse("CSR carries no subjectAltName");
  GeneralNamesPtr owned(names);

  XmppIdentities ids;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    bool known = name->type == GEN_DNS || is_other_name(name, NID_SRVName) ||
                 is_other_name(name, NID_XmppAddr);
    if (!known) refuse("CSR asks for " + describe(name) + ", which this CA does not issue");
  }
  XmppIdentities requested = decode_subject_alt_names(names);
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
