#include "engine/curl_library.h"

#include <dlfcn.h>

#include <string>

#include "engine/errors.h"

namespace xmppcert {
namespace {

constexpr const char* kLibrary = "libcurl.so.4";

template <typename Function>
void resolve(void* handle, const char* symbol, Function& target) {
  void* address = ::dlsym(handle, symbol);
  if (!address) throw_operation_error("load", kLibrary, std::string("missing symbol ") + symbol);
  target = reinterpret_cast<Function>(address);
}

CurlLibrary load() {
  void* handle = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* reason = ::dlerror();
    throw_operation_error(
        "load", kLibrary,
        std::string(reason ? reason : "dlopen failed") + " (HTTP needs the libcurl4 package)");
  }
  CurlLibrary curl{};
  resolve(handle, "curl_global_init", curl.global_init);
  resolve(handle, "curl_easy_init", curl.easy_init);
  resolve(handle, "curl_easy_cleanup", curl.easy_cleanup);
  resolve(handle, "curl_easy_reset", curl.easy_reset);
  resolve(handle, "curl_easy_setopt", curl.easy_setopt);
  resolve(handle, "curl_easy_perform", curl.easy_perform);
  resolve(handle, "curl_easy_getinfo", curl.easy_getinfo);
  resolve(handle, "curl_easy_strerror", curl.easy_strerror);
  resolve(handle, "curl_slist_append", curl.slist_append);
  resolve(handle, "curl_slist_free_all", curl.slist_free_all);
  CURLcode rc = curl.global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) throw_operation_error("initialise", kLibrary, curl.easy_strerror(rc));
  return curl;  // the handle stays open for the life of the process
}

}  // namespace

const CurlLibrary& curl_library() {
  static const CurlLibrary library = load();
  return library;
}

}  // namespace xmppcert
