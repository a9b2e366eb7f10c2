#include "ca/log/log_store.h"

#include <algorithm>

#include "engine/errors.h"

namespace xmppcert::ctlog {
namespace {

std::string bytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

}  // namespace

uint64_t LogStore::append(const std::string& leaf_input, const std::string& extra_data,
                          const std::string& cert_sha256, const std::string& serial) {
  ca::LogEntryRecord entry;
  entry.leaf_input = leaf_input;
  entry.extra_data = extra_data;
  entry.leaf_hash = bytes(hash_leaf(leaf_input));
  entry.cert_sha256 = cert_sha256;
  entry.serial = serial;
  return storage_.log_append(entry);
}

std::vector<Hash> LogStore::leaf_hashes(uint64_t count) {
  std::vector<Hash> out;
  out.reserve(count);
  for (const auto& data : storage_.log_leaf_hashes(count)) {
    Hash hash{};
    if (data.size() != hash.size())
      throw_operation_error("read", "the transparency log",
                            "entry " + std::to_string(out.size()) + " has no 32-byte leaf hash");
    std::copy(data.begin(), data.end(), hash.begin());
    out.push_back(hash);
  }
  return out;
}

std::optional<uint64_t> LogStore::index_of_leaf_hash(const Hash& hash) {
  return storage_.log_index_of_leaf_hash(bytes(hash));
}

}  // namespace xmppcert::ctlog
