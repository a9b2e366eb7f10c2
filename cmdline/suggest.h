// "did you mean" for a mistyped command or option: the nearest candidate by edit distance,
// when it is close enough (at most 2 edits) to be a typo rather than another word.
#pragma once

#include <string>
#include <vector>

namespace xmppcert::cmdline {

// " (did you mean \"enroll\"?)", or "" when nothing is close.
std::string did_you_mean(const std::string& typed, const std::vector<std::string>& candidates);

}  // namespace xmppcert::cmdline
