// The pre-generated next key of a certificate under DANE, kept by the Store as a private file
// (<cert dir>/next-key.pem: 0600, atomic), beside the current version's key. Its TLSA record is
// published long before a certificate for it is served.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "engine/keys.h"
#include "engine/store.h"

namespace xmppcert {

// The stored next key's PEM; nullopt when there is none.
std::optional<std::string> stored_next_key_pem(const Store& store, const std::string& name);

// The stored next key; an OperationError naming the certificate when there is none.
PKeyPtr stored_next_key(const Store& store, const std::string& name);

// The next key as stored; a new one is generated and stored when there is none, when its type
// is not `type`, or when it is the key `current_hash` names (a crash right after a switch).
PKeyPtr ensure_next_key(const Store& store, const std::string& name, KeyType type,
                        const std::string& current_hash);

// Generates and stores a new next key, replacing the stored one.
PKeyPtr replace_next_key(const Store& store, const std::string& name, KeyType type);

// The key of the current version.
PKeyPtr current_key(const Store& store, const CertificateRecord& record);

}  // namespace xmppcert
