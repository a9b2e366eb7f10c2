#include "plugins/servers/common/xml_config.h"

#include <algorithm>
#include <sstream>

#include "engine/errors.h"
#include "engine/fs.h"
#include "plugins/servers/common/config_edit.h"

namespace xmppcert {

void load_xml_config(pugi::xml_document& doc, const std::filesystem::path& file, unsigned options) {
  std::string text;
  try {
    text = read_file(file);
  } catch (const OperationError& e) {
    throw UsageError(e.what());
  }
  pugi::xml_parse_result result = doc.load_buffer(text.data(), text.size(), options);
  if (!result) {
    auto offset = static_cast<size_t>(std::max<ptrdiff_t>(result.offset, 0));
    int line = 1 + static_cast<int>(std::count(text.begin(),
                                               text.begin() + std::min(offset, text.size()), '\n'));
    throw UsageError(file.string() + ":" + std::to_string(line) + ": " + result.description());
  }
}

void save_edited_xml(const pugi::xml_document& doc, const std::filesystem::path& file) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  std::string text = out.str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  replace_config_with_backup(file, text);
}

std::string xml_text(const pugi::xml_node& node) {
  std::string text = node.text().get();
  if (text.empty())
    for (const auto& child : node.children()) text += child.text().get();
  size_t start = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

}  // namespace xmppcert
