#include "ca/key_token.h"

#include <libp11.h>
#include <openssl/crypto.h>

#include "ca/secret_file.h"
#include "engine/errors.h"
#include "engine/json_fields.h"

namespace xmppcert::ca {

TokenSettings read_token_settings(const nlohmann::json& section, const std::string& where) {
  if (!section.is_object())
    throw UsageError(where + ": expected an object with module, token and pin_file");
  JsonFields fields(section, where);
  fields.allow_only({"module", "token", "pin_file"});
  TokenSettings settings;
  auto required = [&](const char* key) {
    auto value = fields.string(key);
    if (!value || value->empty()) throw UsageError(fields.path_of(key) + ": required");
    return *value;
  };
  settings.module = required("module");
  settings.token = required("token");
  settings.pin_file = required("pin_file");
  return settings;
}

nlohmann::json token_settings_json(const TokenSettings& settings) {
  return {{"module", settings.module}, {"token", settings.token}, {"pin_file", settings.pin_file}};
}

std::string read_token_pin(const TokenSettings& settings) {
  return read_secret_file(settings.pin_file, "the PKCS#11 PIN file");
}

KeyToken::KeyToken(TokenSettings settings) : settings_(std::move(settings)) {
  const std::string operation = "open";  // "open token \"LABEL\" (module SO): ..."
  context_ = PKCS11_CTX_new();
  if (!context_) throw_operation_error(operation, name(), openssl_error_text());
  if (PKCS11_CTX_load(context_, settings_.module.c_str()) != 0) {
    PKCS11_CTX_free(context_);
    context_ = nullptr;
    throw_operation_error("load the PKCS#11 module", settings_.module, openssl_error_text());
  }
  try {
    if (PKCS11_enumerate_slots(context_, &slots_, &slot_count_) != 0)
      throw_operation_error(operation, name(), "cannot list its slots: " + openssl_error_text());
    for (unsigned int i = 0; i < slot_count_ && !slot_; ++i) {
      PKCS11_TOKEN* token = slots_[i].token;
      if (token && token->initialized && token->label && settings_.token == token->label)
        slot_ = &slots_[i];
    }
    if (!slot_) throw_operation_error(operation, name(), "no initialised token has this label");
    std::string pin = read_token_pin(settings_);
    int logged_in = PKCS11_login(slot_, 0, pin.c_str());
    OPENSSL_cleanse(pin.data(), pin.size());
    if (logged_in != 0)
      throw_operation_error(
          operation, name(),
          "login refused (wrong PIN in " + settings_.pin_file + "?): " + openssl_error_text());
  } catch (...) {
    close();
    throw;
  }
}

KeyToken::~KeyToken() { close(); }

void KeyToken::close() {
  if (!context_) return;
  if (slots_) PKCS11_release_all_slots(context_, slots_, slot_count_);
  PKCS11_CTX_unload(context_);
  PKCS11_CTX_free(context_);
  context_ = nullptr;
  slots_ = nullptr;
}

std::string KeyToken::name() const {
  return "token \"" + settings_.token + "\" (module " + settings_.module + ")";
}

PKeyPtr KeyToken::private_key(const std::string& label) {
  PKCS11_KEY* keys = nullptr;
  unsigned int count = 0;
  if (PKCS11_enumerate_keys(slot_->token, &keys, &count) != 0)
    throw_operation_error("list the private keys of", name(), openssl_error_text());
  PKCS11_KEY* found = nullptr;
  for (unsigned int i = 0; i < count; ++i) {
    if (!keys[i].label || label != keys[i].label) continue;
    if (found)
      throw_operation_error("find key \"" + label + "\" in", name(),
                            "the token holds more than one key with this label");
    found = &keys[i];
  }
  if (!found)
    throw_operation_error("find key \"" + label + "\" in", name(),
                          "no such private key (was this token given to xmppcert-ca init?)");
  PKeyPtr key(PKCS11_get_private_key(found));
  if (!key) throw_operation_error("use key \"" + label + "\" of", name(), openssl_error_text());
  return key;
}

}  // namespace xmppcert::ca
