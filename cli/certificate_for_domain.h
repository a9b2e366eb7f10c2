// The certificate that `dane` and `posh` describe: the file given with --cert (for instance
// the fullchain a server plugin installed), else the current version of the stored
// certificate named DOMAIN, else of the stored certificate that carries DNS-ID DOMAIN.
#pragma once

#include <string>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"
#include "cmdline/args.h"
#include "cli/session.h"

namespace xmppcert::cli {

inline const cmdline::OptionSpec kCertOption{"--cert", true};

struct DomainCertificate {
  X509Ptr leaf;
  std::string origin;  // the file it was read from
};

// UsageError naming the command and DOMAIN when nothing is stored for it.
DomainCertificate certificate_for_domain(const std::string& command, const Session& session,
                                         const cmdline::ParsedArgs& args, const DomainName& domain);

}  // namespace xmppcert::cli
