// Errors carry the operation, the object (path, domain, key) and the cause. Two kinds,
// because the CLI maps them to its documented exit codes: a UsageError (bad flag, bad
// config, bad domain: exit 2, nothing written) and an OperationError (exit 1).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace xmppcert {

class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

class OperationError : public std::runtime_error {
 public:
  explicit OperationError(const std::string& message) : std::runtime_error(message) {}
};

// "operation object: cause", the one shape every message has.
std::string describe_failure(std::string_view operation, std::string_view object,
                             std::string_view cause);

[[noreturn]] void throw_operation_error(std::string_view operation, std::string_view object,
                                        std::string_view cause);

// strerror text for an errno value.
std::string errno_text(int error_number);

// Drains OpenSSL's error queue into one line ("no detail" when empty).
std::string openssl_error_text();

}  // namespace xmppcert
