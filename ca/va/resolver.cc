#include "ca/va/resolver.h"

#include <arpa/inet.h>
#include <poll.h>
#include <unbound.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {
constexpr int kTypeA = 1, kTypeTxt = 16, kTypeAaaa = 28, kTypeCaa = 257, kClassIn = 1;

// One lookup's answer, shared by the caller and the callback (whichever lets go last frees
// it: a caller that gave up may still be answered).
struct Answer {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int error = 0;
  ub_result* result = nullptr;
  ~Answer() {
    if (result) ub_resolve_free(result);
  }
};

void deliver(void* data, int error, ub_result* result) {
  auto* answer = static_cast<std::shared_ptr<Answer>*>(data);
  {
    std::lock_guard guard((*answer)->mutex);
    (*answer)->done = true;
    (*answer)->error = error;
    (*answer)->result = result;
  }
  (*answer)->done_cv.notify_all();
  delete answer;
}
}  // namespace

Resolver::Resolver(const std::string& forwarder) : ctx_(ub_ctx_create()) {
  if (!ctx_) throw_operation_error("create", "DNS resolver", "ub_ctx_create failed");
  int rc = ub_ctx_async(ctx_, 1);  // a thread, not a forked process, does the lookups
  if (rc == 0 && forwarder.empty()) {
    rc = ub_ctx_resolvconf(ctx_, nullptr);
  } else if (rc == 0) {
    // unbound writes ADDR@PORT; loopback forwarders must be allowed explicitly.
    std::string target = forwarder;
    size_t colon = target.rfind(':');
    if (colon != std::string::npos) target[colon] = '@';
    rc = ub_ctx_set_option(ctx_, "do-not-query-localhost:", "no");
    if (rc == 0) rc = ub_ctx_set_fwd(ctx_, target.c_str());
  }
  // unbound answers NXDOMAIN itself for the special-use "test." (RFC 6761); test networks
  // and closed federations use it, so its names are looked up like any other. Last: adding
  // a zone freezes the configuration.
  if (rc == 0) rc = ub_ctx_zone_add(ctx_, "test.", "transparent");
  if (rc != 0) {
    std::string cause = ub_strerror(rc);
    ub_ctx_delete(ctx_);
    throw UsageError("configure DNS resolver " + forwarder + ": " + cause);
  }
  pump_ = std::thread([this] { pump(); });
}

Resolver::~Resolver() {
  stopping_ = true;
  pump_.join();
  ub_ctx_delete(ctx_);
}

void Resolver::pump() {
  while (!stopping_) {
    pollfd p{ub_fd(ctx_), POLLIN, 0};
    if (::poll(&p, 1, 100) == 1) ub_process(ctx_);
  }
}

std::vector<std::string> Resolver::rdata(const std::string& name, int type, Deadline deadline) {
  auto answer = std::make_shared<Answer>();
  auto* handle = new std::shared_ptr<Answer>(answer);
  int id = 0;
  int rc = ub_resolve_async(ctx_, name.c_str(), type, kClassIn, handle, deliver, &id);
  if (rc != 0) {
    delete handle;
    throw_operation_error("resolve", name, ub_strerror(rc));
  }
  std::unique_lock lock(answer->mutex);
  if (!answer->done_cv.wait_until(lock, deadline, [&] { return answer->done; })) {
    lock.unlock();
    // Cancelled: the callback will not run, so its handle is ours to free. Otherwise the
    // answer is being delivered right now and the callback frees it.
    if (ub_cancel(ctx_, id) == 0) delete handle;
    throw_operation_error("resolve", name, "no answer before the validation deadline");
  }
  if (answer->error != 0) throw_operation_error("resolve", name, ub_strerror(answer->error));
  ub_result* result = answer->result;
  std::vector<std::string> out;
  if (result->bogus) {
    std::string why = result->why_bogus ? result->why_bogus : "DNSSEC validation failed";
    throw_operation_error("resolve", name, why);
  }
  if (result->rcode != 0 && result->rcode != 3)  // NOERROR, NXDOMAIN
    throw_operation_error("resolve", name, "DNS rcode " + std::to_string(result->rcode));
  for (int i = 0; result->havedata && result->data[i]; ++i)
    out.emplace_back(result->data[i], result->len[i]);
  return out;
}

std::vector<std::string> Resolver::addresses(const std::string& name, Deadline deadline) {
  std::vector<std::string> out;
  char text[INET6_ADDRSTRLEN];
  for (const auto& raw : rdata(name, kTypeA, deadline))
    if (raw.size() == 4 && inet_ntop(AF_INET, raw.data(), text, sizeof text)) out.push_back(text);
  for (const auto& raw : rdata(name, kTypeAaaa, deadline))
    if (raw.size() == 16 && inet_ntop(AF_INET6, raw.data(), text, sizeof text)) out.push_back(text);
  return out;
}

std::vector<std::string> Resolver::txt(const std::string& name, Deadline deadline) {
  std::vector<std::string> out;
  for (const auto& raw : rdata(name, kTypeTxt, deadline)) {
    std::string joined;  // a TXT record is a sequence of <length><bytes> strings
    for (size_t i = 0; i < raw.size();) {
      size_t length = static_cast<unsigned char>(raw[i]);
      joined += raw.substr(i + 1, length);
      i += 1 + length;
    }
    out.push_back(joined);
  }
  return out;
}

std::vector<CaaRecord> Resolver::caa(const std::string& name, Deadline deadline) {
  std::vector<CaaRecord> out;
  for (const auto& raw : rdata(name, kTypeCaa, deadline)) {
    if (raw.size() < 2) continue;
    size_t tag_length = static_cast<unsigned char>(raw[1]);
    if (raw.size() < 2 + tag_length) continue;
    out.push_back({static_cast<unsigned char>(raw[0]), raw.substr(2, tag_length),
                   raw.substr(2 + tag_length)});
  }
  return out;
}

}  // namespace xmppcert::ca
