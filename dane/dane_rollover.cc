#include "dane/dane_rollover.h"

#include <algorithm>

#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/log.h"

namespace xmppcert {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& item : a)
    if (!contains(b, item)) out.push_back(item);
  return out;
}

bool next_visible_everywhere(const DaneState& state, const TlsaRollover& rollover) {
  for (const auto& owner : rollover.owners)
    if (!contains(rollover.resolver.spki_hashes(owner), state.next)) return false;
  return true;
}

std::string short_hash(const std::string& hash) { return hash.substr(0, 16); }

}  // namespace

std::vector<std::string> tlsa_owners(const std::vector<std::string>& names,
                                     const std::vector<int>& ports) {
  std::vector<std::string> owners;
  for (const auto& name : names)
    for (int port : ports) owners.push_back("_" + std::to_string(port) + "._tcp." + name + ".");
  return owners;
}

std::vector<std::string> wanted_tlsa(const DaneState& state, std::time_t now) {
  std::vector<std::string> wanted;
  for (const auto& hash : {state.current, state.next})
    if (!hash.empty() && !contains(wanted, hash)) wanted.push_back(hash);
  if (!state.retired.empty() && now < state.retire_at && !contains(wanted, state.retired))
    wanted.push_back(state.retired);
  return wanted;
}

void sync_tlsa(DaneState& state, const TlsaRollover& rollover, std::time_t now) {
  std::vector<std::string> wanted = wanted_tlsa(state, now);
  std::vector<std::string> add = minus(wanted, state.published);
  std::vector<std::string> remove = minus(state.published, wanted);
  if (!add.empty() || !remove.empty()) {
    rollover.publisher.change(rollover.owners, add, remove, rollover.ttl);
    state.published = wanted;
    if (contains(add, state.next)) {
      state.published_at = now;
      state.next_visible_since = 0;
    }
  }
  if (!state.retired.empty() && now >= state.retire_at) {
    state.retired.clear();
    state.retire_at = 0;
  }
  if (state.next.empty() || state.next_visible_since || !contains(state.published, state.next))
    return;
  state.last_query = now;
  try {
    if (next_visible_everywhere(state, rollover)) state.next_visible_since = now;
  } catch (const OperationError& e) {
    log_warning(rollover.certificate,
                std::string("asking DNS for the next key's TLSA record: ") + e.what());
  }
}

std::optional<std::time_t> switch_ready_at(const DaneState& state, std::chrono::seconds ttl) {
  if (!state.next_visible_since) return std::nullopt;
  return state.next_visible_since + 2 * ttl.count();
}

KeySwitch next_key_switch(const DaneState& state, std::chrono::seconds ttl, std::time_t now) {
  if (state.next.empty()) return {false, "no next key yet"};
  if (!contains(state.published, state.next))
    return {false, "the next key's TLSA record is not published yet"};
  if (!state.next_visible_since)
    return {false, "the next key's TLSA record (" + short_hash(state.next) +
                       "...) is not visible in DNS yet" +
                       (state.last_query ? " (asked " + format_utc(state.last_query) + ")" : "")};
  std::time_t ready = *switch_ready_at(state, ttl);
  if (now < ready)
    return {false, "the next key's TLSA record is visible since " +
                       format_utc(state.next_visible_since) + "; switching waits for 2 x TTL (" +
                       format_duration(2 * ttl) + "), until " + format_utc(ready)};
  return {true, "the next key's TLSA record has been visible since " +
                    format_utc(state.next_visible_since) + " (2 x TTL passed)"};
}

void switch_to_next_key(DaneState& state, const std::string& new_next, std::chrono::seconds ttl,
                        std::time_t now) {
  state.retired = state.current;
  state.retire_at = now + 2 * ttl.count();
  state.current = state.next;
  state.next = new_next;
  state.published_at = 0;
  state.next_visible_since = 0;
  state.last_query = 0;
  state.waiting.clear();
}

std::chrono::seconds tlsa_query_interval(std::chrono::seconds ttl) {
  return std::clamp(ttl, std::chrono::seconds(1), std::chrono::seconds(300));
}

std::optional<std::time_t> next_tlsa_step(const DaneState& state, std::chrono::seconds ttl,
                                          std::time_t now) {
  std::vector<std::string> wanted = wanted_tlsa(state, now);
  if (!minus(wanted, state.published).empty() || !minus(state.published, wanted).empty())
    return now;
  std::optional<std::time_t> step;
  auto earliest = [&](std::time_t t) { step = step ? std::min(*step, t) : t; };
  if (!state.retired.empty()) earliest(std::max(now, state.retire_at));
  if (!state.next.empty() && !state.next_visible_since)
    earliest(std::max(now, state.last_query + tlsa_query_interval(ttl).count()));
  return step;
}

}  // namespace xmppcert
