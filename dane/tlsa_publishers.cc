#include "dane/tlsa_publishers.h"

#include "dane/publishers/publishers.h"
#include "engine/errors.h"

namespace xmppcert {
namespace {

struct TlsaPublisherEntry {
  const char* name;
  // What the publisher needs that `settings` lack, as the error names it; "" when nothing.
  std::string (*lacks)(const DaneSettings& settings);
  std::unique_ptr<TlsaPublisher> (*make)(const DaneSettings& settings,
                                         const std::string& certificate,
                                         const CommandRunner& commands);
};

const TlsaPublisherEntry kTlsaPublishers[] = {
    {"rfc2136",
     [](const DaneSettings& s) { return s.server.empty() ? std::string("\"server\"") : ""; },
     make_rfc2136_publisher},
    {"hook",
     [](const DaneSettings& s) { return s.hook.empty() ? std::string("\"hook\" (an argv)") : ""; },
     make_hook_publisher},
    {"print", [](const DaneSettings&) { return std::string(); }, make_print_publisher},
};

const TlsaPublisherEntry* find_publisher(const std::string& name) {
  for (const auto& entry : kTlsaPublishers)
    if (name == entry.name) return &entry;
  return nullptr;
}

// "\"rfc2136\", \"hook\" or \"print\""
std::string quoted_names() {
  std::string names;
  size_t count = std::size(kTlsaPublishers);
  for (size_t i = 0; i < count; ++i)
    names += std::string(i == 0           ? ""
                         : i + 1 == count ? " or "
                                          : ", ") +
             "\"" + kTlsaPublishers[i].name + "\"";
  return names;
}

}  // namespace

void require_known_tlsa_publisher(const std::string& publish, const std::string& where) {
  if (!find_publisher(publish))
    throw UsageError(where + ".publish: expected " + quoted_names() +
                     (publish.empty() ? "" : ", got \"" + publish + "\""));
}

void require_tlsa_publisher_settings(const DaneSettings& settings, const std::string& where) {
  require_known_tlsa_publisher(settings.publish, where);
  if (std::string lacks = find_publisher(settings.publish)->lacks(settings); !lacks.empty())
    throw UsageError(where + ": \"publish\": \"" + settings.publish + "\" needs " + lacks);
}

std::unique_ptr<TlsaPublisher> make_tlsa_publisher(const DaneSettings& settings,
                                                   const std::string& certificate,
                                                   const CommandRunner& commands) {
  const TlsaPublisherEntry* entry = find_publisher(settings.publish);
  if (!entry)
    throw_operation_error("publish TLSA for", certificate,
                          "unknown publisher \"" + settings.publish + "\"");
  return entry->make(settings, certificate, commands);
}

}  // namespace xmppcert
