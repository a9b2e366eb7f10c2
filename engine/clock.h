// Times as the store and the CLI write them (RFC 3339, UTC) and durations as admins write
// them in config and flags ("90d", "12h", "5m", "30s").
#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

namespace xmppcert {

std::string format_utc(std::time_t time);                    // 2026-11-25T06:30:00Z
std::time_t parse_utc(std::string_view text);                // throws UsageError
// A number and a unit ("90d", "12h", "5m", "30s"), at most kMaxDuration; UsageError else.
std::chrono::seconds parse_duration(std::string_view text);
// A certificate's lifetime: not zero ("0d" was renewed every second, forever).
std::chrono::seconds parse_validity(std::string_view text);
inline constexpr std::chrono::seconds kMaxDuration{100LL * 366 * 86400};
inline constexpr std::chrono::seconds kMinValidity{1};
std::string format_duration(std::chrono::seconds duration);

}  // namespace xmppcert
