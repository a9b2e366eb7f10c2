#include "plugins/servers/jabberd14/jabberd14_includes.h"

#include <cstring>

#include "engine/errors.h"
#include "plugins/servers/common/xml_config.h"

namespace xmppcert {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxNesting = 20;  // jabberd's MAX_INCLUDE_NESTING

void include_into(pugi::xml_node include, const fs::path& file, std::vector<fs::path>& files,
                  int depth) {
  fs::path included = xml_text(include);
  if (included.empty())
    throw UsageError(file.string() + ": <jabberd:include> names no file");
  if (included.is_relative()) included = file.parent_path() / included;
  if (depth >= kMaxNesting)
    throw UsageError(file.string() + ": <jabberd:include>" + included.string() +
                     " nested more than 20 deep (an include loop?)");
  pugi::xml_document doc;
  load_xml_config(doc, included);
  files.push_back(included.lexically_normal());
  pugi::xml_node root = doc.document_element();
  expand_jabberd14_includes(root, included, files, depth + 1);
  pugi::xml_node parent = include.parent();
  if (std::strcmp(root.name(), parent.name()) == 0) {
    for (pugi::xml_node child : root.children()) parent.insert_copy_before(child, include);
  } else {
    parent.insert_copy_before(root, include);
  }
  parent.remove_child(include);
}

}  // namespace

void expand_jabberd14_includes(pugi::xml_node node, const fs::path& file,
                               std::vector<fs::path>& files, int depth) {
  for (pugi::xml_node child = node.first_child(); child;) {
    pugi::xml_node next = child.next_sibling();
    if (child.type() == pugi::node_element) {
      if (std::strcmp(child.name(), "jabberd:include") == 0)
        include_into(child, file, files, depth);
      else
        expand_jabberd14_includes(child, file, files, depth);
    }
    child = next;
  }
}

}  // namespace xmppcert
