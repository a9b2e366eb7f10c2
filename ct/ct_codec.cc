#include "ct/ct_codec.h"

#include <openssl/evp.h>

namespace xmppcert::ctlog {
namespace {

void put_integer(std::string& out, uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void put_vector(std::string& out, std::string_view data, int length_bytes) {
  put_integer(out, data.size(), length_bytes);
  out.append(data);
}

// TimestampedEntry of an x509_entry with no extensions.
std::string timestamped_x509_entry(uint64_t timestamp_ms, std::string_view cert_der) {
  std::string out;
  put_integer(out, timestamp_ms, 8);
  put_integer(out, 0, 2);  // LogEntryType x509_entry
  put_vector(out, cert_der, 3);
  put_integer(out, 0, 2);  // CtExtensions, empty
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  std::optional<uint64_t> integer(size_t bytes) {
    if (data_.size() < bytes) return std::nullopt;
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value = value << 8 | static_cast<unsigned char>(data_[i]);
    data_.remove_prefix(bytes);
    return value;
  }
  std::optional<std::string_view> vector(size_t length_bytes) {
    auto length = integer(length_bytes);
    if (!length || data_.size() < *length) return std::nullopt;
    std::string_view out = data_.substr(0, *length);
    data_.remove_prefix(*length);
    return out;
  }
  bool done() const { return data_.empty(); }

 private:
  std::string_view data_;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

}  // namespace

std::string x509_leaf_input(uint64_t timestamp_ms, std::string_view cert_der) {
  std::string out{'\0', '\0'};  // Version v1, MerkleLeafType timestamped_entry
  return out + timestamped_x509_entry(timestamp_ms, cert_der);
}

std::optional<X509Leaf> parse_x509_leaf_input(std::string_view leaf_input) {
  Reader reader(leaf_input);
  auto version = reader.integer(1), leaf_type = reader.integer(1);
  auto timestamp = reader.integer(8), entry_type = reader.integer(2);
  if (!version || *version != 0 || !leaf_type || *leaf_type != 0 || !timestamp || !entry_type ||
      *entry_type != 0)
    return std::nullopt;
  auto cert = reader.vector(3);
  auto extensions = reader.vector(2);
  if (!cert || !extensions || !reader.done()) return std::nullopt;
  return X509Leaf{*timestamp, std::string(*cert)};
}

std::string x509_chain_extra_data(const std::vector<std::string>& chain_der) {
  std::string list;
  for (const auto& cert : chain_der) put_vector(list, cert, 3);
  std::string out;
  put_vector(out, list, 3);
  return out;
}

std::string tree_head_signature_input(uint64_t timestamp_ms, uint64_t tree_size, const Hash& root) {
  std::string out;
  put_integer(out, 0, 1);  // Version v1
  put_integer(out, 1, 1);  // SignatureType tree_hash
  put_integer(out, timestamp_ms, 8);
  put_integer(out, tree_size, 8);
  out.append(reinterpret_cast<const char*>(root.data()), root.size());
  return out;
}

std::string sct_signature_input(uint64_t timestamp_ms, std::string_view cert_der) {
  std::string out{'\0', '\0'};  // Version v1, SignatureType certificate_timestamp
  return out + timestamped_x509_entry(timestamp_ms, cert_der);
}

std::string digitally_signed(uint8_t signature_algorithm, std::string_view signature) {
  std::string out;
  put_integer(out, 4, 1);  // HashAlgorithm sha256
  put_integer(out, signature_algorithm, 1);
  put_vector(out, signature, 2);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > (1u << 24)) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

std::string base64_of(const Hash& hash) {
  std::string out(45, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), hash.data(),
                               static_cast<int>(hash.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out[*name] = *value;
  }
  return out;
}

}  // namespace xmppcert::ctlog
