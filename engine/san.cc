#include "engine/san.h"

#include <openssl/objects.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

void push_name(GENERAL_NAMES* names, GENERAL_NAME* name) {
  if (!sk_GENERAL_NAME_push(names, name)) {
    GENERAL_NAME_free(name);
    throw_operation_error("encode", "subjectAltName", openssl_error_text());
  }
}

void push_dns(GENERAL_NAMES* names, const std::string& dns) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* value = ASN1_IA5STRING_new();
  ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size()));
  GENERAL_NAME_set0_value(name, GEN_DNS, value);
  push_name(names, name);
}

void push_other_name(GENERAL_NAMES* names, int nid, int string_type, const std::string& text) {
  ASN1_STRING* string = ASN1_STRING_type_new(string_type);
  ASN1_STRING_set(string, text.data(), static_cast<int>(text.size()));
  ASN1_TYPE* value = ASN1_TYPE_new();
  ASN1_TYPE_set(value, string_type, string);
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (!GENERAL_NAME_set0_othername(name, OBJ_nid2obj(nid), value)) {
    ASN1_TYPE_free(value);
    GENERAL_NAME_free(name);
    throw_operation_error("encode otherName", text, openssl_error_text());
  }
  push_name(names, name);
}

std::string asn1_text(const ASN1_STRING* string) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(string)),
                     static_cast<size_t>(ASN1_STRING_length(string)));
}

}  // namespace

GeneralNamesPtr encode_subject_alt_names(const XmppIdentities& ids) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  for (const auto& dns : ids.dns_ids) push_dns(names.get(), dns);
  for (const auto& srv : ids.srv_ids)
    push_other_name(names.get(), NID_SRVName, V_ASN1_IA5STRING, srv);
  for (const auto& addr : ids.xmpp_addrs)
    push_other_name(names.get(), NID_XmppAddr, V_ASN1_UTF8STRING, addr);
  return names;
}

XmppIdentities decode_subject_alt_names(const GENERAL_NAMES* names) {
  XmppIdentities ids;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      ids.dns_ids.push_back(asn1_text(name->d.dNSName));
    } else if (name->type == GEN_OTHERNAME) {
      const OTHERNAME* other = name->d.otherName;
      int nid = OBJ_obj2nid(other->type_id);
      if (nid == NID_SRVName && other->value->type == V_ASN1_IA5STRING)
        ids.srv_ids.push_back(asn1_text(other->value->value.ia5string));
      else if (nid == NID_XmppAddr && other->value->type == V_ASN1_UTF8STRING)
        ids.xmpp_addrs.push_back(asn1_text(other->value->value.utf8string));
    }
  }
  return ids;
}

XmppIdentities identities_in_certificate(X509* cert) {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return {};
  return decode_subject_alt_names(names.get());
}

}  // namespace xmppcert
