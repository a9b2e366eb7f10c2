// Loading the XML configs of jabberd2 and jabberd 1.4 with pugixml; errors name the file and
// line.
#pragma once

#include <filesystem>
#include <pugixml.hpp>
#include <string>

namespace xmppcert {

// Throws UsageError "FILE:LINE: cause" when the file is missing or not well-formed.
void load_xml_config(pugi::xml_document& doc, const std::filesystem::path& file);

// The trimmed text of a node and its descendants ("" for a null node).
std::string xml_text(const pugi::xml_node& node);

}  // namespace xmppcert
