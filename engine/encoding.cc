#include "engine/encoding.h"

#include "engine/errors.h"

namespace xmppcert {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kPlainAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode(std::string_view data, const char* alphabet) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3 + 2);
  unsigned value = 0;
  int bits = 0;
  for (unsigned char c : data) {
    value = (value << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(value >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(value << (6 - bits)) & 63];
  return out;
}
}  // namespace

std::string base64url_encode(std::string_view data) { return encode(data, kAlphabet); }

std::string base64_encode(std::string_view data) {
  std::string out = encode(data, kPlainAlphabet);
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

std::string hex_encode(std::string_view data, bool upper, std::string_view separator) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < data.size(); ++i) {
    if (i) out += separator;
    unsigned char c = static_cast<unsigned char>(data[i]);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string base64url_decode(std::string_view text, std::string_view what) {
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    int index;
    if (c >= 'A' && c <= 'Z')
      index = c - 'A';
    else if (c >= 'a' && c <= 'z')
      index = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      index = c - '0' + 52;
    else if (c == '-' || c == '+')
      index = 62;
    else if (c == '_' || c == '/')
      index = 63;
    else
      throw UsageError(std::string(what) + ": not base64url (character '" + std::string(1, c) +
                       "')");
    value = (value << 6) | static_cast<unsigned>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace xmppcert
