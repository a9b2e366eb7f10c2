#include "plugins/issuers/acme/certificate.h"

#include "engine/certificate.h"
#include "engine/log.h"

namespace xmppcert::acme {
namespace {

std::string top_issuer_cn(const std::vector<X509Ptr>& chain) {
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_issuer_name(chain.back().get()), NID_commonName, cn,
                            sizeof cn);
  return cn;
}

std::vector<X509Ptr> preferred_alternate(Transport& transport, const HttpResponse& download,
                                         std::vector<X509Ptr> default_chain,
                                         const std::string& preferred, const std::string& name) {
  for (const auto& url : download.links("alternate")) {
    std::vector<X509Ptr> alternate = parse_certificate_chain(transport.post_as_get(url).body, url);
    if (top_issuer_cn(alternate) == preferred) return alternate;
  }
  log_line(name, "no chain issued by \"" + preferred +
                     "\" among the alternates; keeping the default chain");
  return default_chain;
}

}  // namespace

std::vector<X509Ptr> download_certificate(Transport& transport, const std::string& certificate_url,
                                          const std::string& preferred_chain,
                                          const std::string& name) {
  HttpResponse download = transport.post_as_get(certificate_url);
  std::vector<X509Ptr> chain = parse_certificate_chain(download.body, certificate_url);
  if (!preferred_chain.empty() && top_issuer_cn(chain) != preferred_chain)
    chain = preferred_alternate(transport, download, std::move(chain), preferred_chain, name);
  return chain;
}

}  // namespace xmppcert::acme
