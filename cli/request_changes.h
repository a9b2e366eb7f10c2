// What `enroll` is about to change in a stored certificate's request: names added and
// dropped, issuer, key type, install target. Flags on the command line describe the whole
// request, so an enroll that forgets a --component would silently drop a name; it is
// refused unless the admin says so (--replace-request, or --force).
#pragma once

#include <string>
#include <vector>

#include "engine/request.h"
#include "engine/store.h"

namespace xmppcert::cli {

struct RequestChanges {
  std::vector<std::string> added_names;    // DNS-IDs the new request adds
  std::vector<std::string> dropped_names;  // DNS-IDs the stored request had
  std::vector<std::string> others;         // "issuer local -> NAME", "install: none -> prosody"
  bool empty() const { return added_names.empty() && dropped_names.empty() && others.empty(); }
};

RequestChanges compare_requests(const CertificateRequest& stored, const CertificateRequest& wanted);

// One line: "+conference.example.test -upload.example.test; issuer local -> NAME".
std::string describe(const RequestChanges& changes);

struct ReviewedRequest {
  CertificateRequest request;
  // Installed into a server whose config names its hosts (prosody, ejabberd, jabberd): names
  // the server stopped serving leave with it, as the agent does; they are shown, not refused.
  bool names_follow_server = false;
};

// Prints "NAME: changes to the stored request: ..." for every request that differs from its
// record; UsageError naming the names when one would drop names, unless replace_request or
// the names follow a server's config.
void review_request_changes(const Store& store, const std::vector<ReviewedRequest>& requests,
                            bool replace_request);

}  // namespace xmppcert::cli
