// libcurl, loaded on first use. A process that never speaks HTTP (the agent on the local CA,
// `xmppcert check`) then never maps libcurl and what it pulls in (GnuTLS, Kerberos, LDAP,
// SSH, RTMP: about 3.5 MB of resident pages), which keeps the idle agent under its RSS target.
#pragma once

#include <curl/curl.h>

namespace xmppcert {

struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// Loads libcurl.so.4 and runs curl_global_init once; later calls return the same table.
// Throws an OperationError naming the library and dlopen's reason when it cannot be loaded.
const CurlLibrary& curl_library();

}  // namespace xmppcert
