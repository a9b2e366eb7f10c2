#include "dane/next_key.h"

#include "dane/dane.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert {
namespace {

constexpr const char* kNextKeyFile = "next-key.pem";

}  // namespace

std::optional<std::string> stored_next_key_pem(const Store& store, const std::string& name) {
  return store.load_private_file(name, kNextKeyFile);
}

PKeyPtr stored_next_key(const Store& store, const std::string& name) {
  std::optional<std::string> pem = stored_next_key_pem(store, name);
  if (!pem) throw_operation_error("load the next key of", name, "there is none");
  return load_private_key(*pem, "next key of " + name);
}

PKeyPtr replace_next_key(const Store& store, const std::string& name, KeyType type) {
  PKeyPtr key = generate_private_key(type);
  store.save_private_file(name, kNextKeyFile, private_key_pem(key.get()));
  return key;
}

PKeyPtr ensure_next_key(const Store& store, const std::string& name, KeyType type,
                        const std::string& current_hash) {
  if (std::optional<std::string> pem = stored_next_key_pem(store, name)) {
    PKeyPtr key = load_private_key(*pem, "next key of " + name);
    if (key_type_of(key.get()) == type && spki_sha256_hex(key.get()) != current_hash) return key;
  }
  return replace_next_key(store, name, type);
}

PKeyPtr current_key(const Store& store, const CertificateRecord& record) {
  std::filesystem::path path = store.version(record.name, record.current_version).key_path();
  return load_private_key(read_file(path), path.string());
}

}  // namespace xmppcert
