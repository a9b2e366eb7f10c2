#include "engine/errors.h"

#include <openssl/err.h>

#include <cstring>

namespace xmppcert {

std::string describe_failure(std::string_view operation, std::string_view object,
                             std::string_view cause) {
  std::string message(operation);
  if (!object.empty()) {
    message += ' ';
    message += object;
  }
  message += ": ";
  message += cause;
  return message;
}

void throw_operation_error(std::string_view operation, std::string_view object,
                           std::string_view cause) {
  throw OperationError(describe_failure(operation, object, cause));
}

std::string errno_text(int error_number) { return std::strerror(error_number); }

std::string openssl_error_text() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no detail from OpenSSL" : text;
}

}  // namespace xmppcert
