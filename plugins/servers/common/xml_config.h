// Loading the XML configs of jabberd2 and jabberd 1.4 with pugixml; errors name the file and
// line.
#pragma once

#include <filesystem>
#include <pugixml.hpp>
#include <string>

namespace xmppcert {

// Throws UsageError "FILE:LINE: cause" when the file is missing or not well-formed.
// `options`: pugixml parse flags (editing keeps comments and whitespace: kXmlEditOptions).
void load_xml_config(pugi::xml_document& doc, const std::filesystem::path& file,
                     unsigned options = pugi::parse_default);

inline constexpr unsigned kXmlEditOptions = pugi::parse_full | pugi::parse_ws_pcdata;

// Writes `doc` back as it was read except for the edits, with a backup (--edit-config).
void save_edited_xml(const pugi::xml_document& doc, const std::filesystem::path& file);

// The trimmed text of a node and its descendants ("" for a null node).
std::string xml_text(const pugi::xml_node& node);

}  // namespace xmppcert
