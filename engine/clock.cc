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
  long long unit = 0;
  switch (copy[digits]) {
    case 'd':
      unit = 86400;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'm':
      unit = 60;
      break;
    case 's':
      unit = 1;
      break;
    default:
      throw UsageError("invalid duration \"" + copy + "\": unit must be d, h, m or s");
  }
  // Ten digits at most: no overflow below, and the cap keeps every time_t sum in range.
  long long value = digits > 10 ? kMaxDuration.count() + 1 : std::stoll(copy.substr(0, digits));
  if (value > kMaxDuration.count() / unit)
    throw UsageError("invalid duration \"" + copy + "\": longer than " +
                     format_duration(kMaxDuration));
  return std::chrono::seconds(value * unit);
}

std::chrono::seconds parse_validity(std::string_view text) {
  std::chrono::seconds validity = parse_duration(text);
  if (validity < kMinValidity)
    throw UsageError("invalid validity \"" + std::string(text) + "\": shorter than " +
                     format_duration(kMinValidity) + " (it would be renewed at once, forever)");
  return validity;
}

std::string format_duration(std::chrono::seconds duration) {
  long long s = duration.count();
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace xmppcert
