#include "engine/clock.h"

#include <cstdio>

#include "engine/errors.h"

namespace xmppcert {

std::string format_utc(std::time_t time) {
  struct tm parts {};
  gmtime_r(&time, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

std::time_t parse_utc(std::string_view text) {
  struct tm parts {};
  std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  if (!end || *end != '\0')
    throw UsageError("invalid time \"" + copy + "\" (expected YYYY-MM-DDTHH:MM:SSZ)");
  return timegm(&parts);
}

std::chrono::seconds parse_duration(std::string_view text) {
  std::string copy(text);
  size_t digits = copy.find_first_not_of("0123456789");
  if (copy.empty() || digits == 0 || digits == std::string::npos || digits + 1 != copy.size())
    throw UsageError("invalid duration \"" + copy +
                     "\" (expected a number and a unit: 90d, 12h, 5m, 30s)");
  long long value = std::stoll(copy.substr(0, digits));
  switch (copy[digits]) {
    case 'd':
      return std::chrono::seconds(value * 86400);
    case 'h':
      return std::chrono::seconds(value * 3600);
    case 'm':
      return std::chrono::seconds(value * 60);
    case 's':
      return std::chrono::seconds(value);
  }
  throw UsageError("invalid duration \"" + copy + "\": unit must be d, h, m or s");
}

std::string format_duration(std::chrono::seconds duration) {
  long long s = duration.count();
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace xmppcert
