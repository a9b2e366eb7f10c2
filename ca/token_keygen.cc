#include "ca/token_keygen.h"

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#include <cstring>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

std::string token_label_of(const CK_TOKEN_INFO& info) {
  std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  while (!label.empty() && (label.back() == ' ' || label.back() == '\0')) label.pop_back();
  return label;
}

// The module loaded, initialised and a logged-in read-write session on the token; undone in
// reverse order by the destructor.
class Session {
 public:
  explicit Session(const TokenSettings& settings) : settings_(settings) {
    try {
      open();
    } catch (...) {
      close();
      throw;
    }
  }

  ~Session() { close(); }

  void open() {
    const TokenSettings& settings = settings_;
    module_ = p11_kit_module_load(settings.module.c_str(), P11_KIT_MODULE_UNMANAGED);
    if (!module_)
      throw_operation_error("load the PKCS#11 module", settings.module, p11_kit_message());
    check(p11_kit_module_initialize(module_), "initialise the module for");
    initialised_ = true;
    CK_ULONG count = 0;
    check(module_->C_GetSlotList(CK_TRUE, nullptr, &count), "list the slots for");
    std::vector<CK_SLOT_ID> slots(count);
    check(module_->C_GetSlotList(CK_TRUE, slots.data(), &count), "list the slots for");
    slots.resize(count);
    bool found = false;
    for (CK_SLOT_ID slot : slots) {
      CK_TOKEN_INFO info{};
      if (module_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
      if ((info.flags & CKF_TOKEN_INITIALIZED) && token_label_of(info) == settings.token) {
        check(module_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                     &session_),
              "open a read-write session on");
        found = true;
        break;
      }
    }
    if (!found) throw_operation_error("open", name(), "no initialised token has this label");
    std::string pin = read_token_pin(settings);
    CK_RV rv = module_->C_Login(session_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin.data()),
                                pin.size());
    OPENSSL_cleanse(pin.data(), pin.size());
    if (rv != CKR_USER_ALREADY_LOGGED_IN)
      check(rv, "log in (PIN from " + settings.pin_file + ") to");
  }

  void close() {
    if (session_ != CK_INVALID_HANDLE) {
      module_->C_Logout(session_);
      module_->C_CloseSession(session_);
      session_ = CK_INVALID_HANDLE;
    }
    if (initialised_) p11_kit_module_finalize(module_);
    initialised_ = false;
    if (module_) p11_kit_module_release(module_);
    module_ = nullptr;
  }

  void check(CK_RV rv, const std::string& operation) const {
    if (rv != CKR_OK) throw_operation_error(operation, name(), p11_kit_strerror(rv));
  }

  std::string name() const {
    return "token \"" + settings_.token + "\" (module " + settings_.module + ")";
  }

  bool holds_key_labelled(const std::string& label) {
    CK_ATTRIBUTE search[] = {{CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
    check(module_->C_FindObjectsInit(session_, search, 1), "search");
    CK_OBJECT_HANDLE object;
    CK_ULONG found = 0;
    CK_RV rv = module_->C_FindObjects(session_, &object, 1, &found);
    module_->C_FindObjectsFinal(session_);
    check(rv, "search");
    return found > 0;
  }

  void generate(const TokenKeySpec& spec) {
    // CKA_EC_PARAMS: the DER of the curve's OID.
    unsigned char params[32];
    unsigned char* cursor = params;
    const ASN1_OBJECT* curve = OBJ_nid2obj(spec.curve_nid);
    int params_length = curve ? i2d_ASN1_OBJECT(curve, nullptr) : -1;
    if (params_length <= 0 || params_length > static_cast<int>(sizeof params))
      throw_operation_error("encode the curve of key \"" + spec.label + "\" for", name(),
                            "unknown curve");
    i2d_ASN1_OBJECT(curve, &cursor);
    // A random CKA_ID pairs the two halves (libp11 finds the public half by it).
    unsigned char id[16];
    if (RAND_bytes(id, sizeof id) != 1)
      throw_operation_error("make an id for key \"" + spec.label + "\" in", name(), "RAND_bytes");
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    auto* label = const_cast<char*>(spec.label.data());
    CK_ATTRIBUTE public_template[] = {{CKA_TOKEN, &yes, sizeof yes},
                                      {CKA_PRIVATE, &no, sizeof no},
                                      {CKA_VERIFY, &yes, sizeof yes},
                                      {CKA_EC_PARAMS, params, static_cast<CK_ULONG>(params_length)},
                                      {CKA_LABEL, label, spec.label.size()},
                                      {CKA_ID, id, sizeof id}};
    CK_ATTRIBUTE private_template[] = {
        {CKA_TOKEN, &yes, sizeof yes},         {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},     {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_SIGN, &yes, sizeof yes},          {CKA_DECRYPT, &no, sizeof no},
        {CKA_UNWRAP, &no, sizeof no},          {CKA_DERIVE, &no, sizeof no},
        {CKA_LABEL, label, spec.label.size()}, {CKA_ID, id, sizeof id}};
    CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE public_key, private_key;
    check(module_->C_GenerateKeyPair(session_, &mechanism, public_template,
                                     std::size(public_template), private_template,
                                     std::size(private_template), &public_key, &private_key),
          "generate key \"" + spec.label + "\" in");
  }

 private:
  const TokenSettings& settings_;
  CK_FUNCTION_LIST* module_ = nullptr;
  bool initialised_ = false;
  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

}  // namespace

void generate_token_keys(const TokenSettings& settings, const std::vector<TokenKeySpec>& keys) {
  Session session(settings);
  for (const auto& spec : keys)
    if (session.holds_key_labelled(spec.label))
      throw UsageError("init: " + session.name() + " already holds a key labelled \"" + spec.label +
                       "\" (a CA's keys are never replaced: use another token, " +
                       "or delete that CA's objects first)");
  for (const auto& spec : keys) session.generate(spec);
}

}  // namespace xmppcert::ca
