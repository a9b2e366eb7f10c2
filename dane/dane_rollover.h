// The TLSA "current + next" rollover (the practice of danectl and DaneBot): DNS holds "3 1 1"
// records for the key in use and for a pre-generated next key. A renewal switches to the next
// key only once its record has been seen in DNS (asked, not assumed) for 2 x TTL, so every
// cache that holds the RRset already holds the new key; the previous key's record goes
// 2 x TTL after the switch. Pure logic over two interfaces (publish, query) and a clock
// passed in, so that tests drive it with fakes.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "dane/dane_state.h"

namespace xmppcert {

class TlsaPublisher {
 public:
  virtual ~TlsaPublisher() = default;
  // One change of the "3 1 1" RRsets at every owner: `add` and `remove` are SPKI hashes. An
  // OperationError leaves DNS as it was (one RFC 2136 message is applied whole or not at all).
  virtual void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
                      const std::vector<std::string>& remove, std::chrono::seconds ttl) = 0;
};

class TlsaResolver {
 public:
  virtual ~TlsaResolver() = default;
  // The data of the "3 1 1" records at `owner`, lower-case hex; OperationError on failure.
  virtual std::vector<std::string> spki_hashes(const std::string& owner) = 0;
};

struct TlsaRollover {
  std::string certificate;          // for log lines
  std::vector<std::string> owners;  // "_5269._tcp.example.org.", ...
  std::chrono::seconds ttl;
  TlsaPublisher& publisher;
  TlsaResolver& resolver;
};

// "_PORT._tcp.NAME." for every name and port; names in A-labels.
std::vector<std::string> tlsa_owners(const std::vector<std::string>& names,
                                     const std::vector<int>& ports);

// What DNS should hold at `now`: current, next, and the retired key until its retire_at.
std::vector<std::string> wanted_tlsa(const DaneState& state, std::time_t now);

// Publishes the difference between wanted_tlsa and what was published, in one change, then
// (until it first succeeds) asks DNS whether the next key's record is visible at every
// owner. A failed change throws OperationError and leaves `state` as it was; a failed query
// is logged and asked again at the next step.
void sync_tlsa(DaneState& state, const TlsaRollover& rollover, std::time_t now);

struct KeySwitch {
  bool ready = false;
  std::string reason;  // one phrase, shown by `status`
};
KeySwitch next_key_switch(const DaneState& state, std::chrono::seconds ttl, std::time_t now);

// When the switch becomes ready, once the next key's record was seen; nullopt before.
std::optional<std::time_t> switch_ready_at(const DaneState& state, std::chrono::seconds ttl);

// The next key's certificate is stored and served: it becomes current, the previous key stays
// published until now + 2 x TTL, and `new_next` (already on disk) is published by the next
// sync_tlsa.
void switch_to_next_key(DaneState& state, const std::string& new_next, std::chrono::seconds ttl,
                        std::time_t now);

// How often DNS is asked for a published next key not yet seen.
std::chrono::seconds tlsa_query_interval(std::chrono::seconds ttl);

// When the rollover next needs a step without a renewal: now for an unpublished change, the
// retired key's removal, the next query while the next key is not yet seen; nullopt if none.
std::optional<std::time_t> next_tlsa_step(const DaneState& state, std::chrono::seconds ttl,
                                          std::time_t now);

}  // namespace xmppcert
