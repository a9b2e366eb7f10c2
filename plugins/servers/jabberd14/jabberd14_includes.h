// jabberd 1.4's <jabberd:include>PATH</jabberd:include>: anywhere in jabber.xml, replaced by the
// included file's root element, or by that root's children when the root has the same name
// as the element holding the include (as jabberd's config.c does). Nested includes are
// followed up to 20 levels. A relative PATH is taken from the including file's folder
// (jabberd itself resolves it from its working directory, which Debian's init sets there).
#pragma once

#include <filesystem>
#include <pugixml.hpp>
#include <vector>

namespace xmppcert {

// Replaces every include below `node` (read from `file`) by what it names; appends each file
// read to `files`, so that xmppcertd watches it. Throws UsageError naming the including file
// and the include on a missing or malformed file or on nesting deeper than 20.
void expand_jabberd14_includes(pugi::xml_node node, const std::filesystem::path& file,
                               std::vector<std::filesystem::path>& files, int depth = 0);

}  // namespace xmppcert
