// Where one certificate's TLSA rollover stands, kept in its record (engine/store.h) as the
// record's "dane" section (engine/extensions.h). Keys are named by the SHA-256 of their
// SubjectPublicKeyInfo in lower-case hex: the data of their "3 1 1" record.
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/store.h"

namespace xmppcert {

struct DaneState {
  std::string current;                 // the key the served certificate holds
  std::string next;                    // the pre-generated next key (<cert dir>/next-key.pem)
  std::vector<std::string> published;  // the hashes DNS holds after our last update
  std::time_t published_at = 0;        // when the update that added `next` went out
  std::time_t next_visible_since = 0;  // the first query that saw `next` at every name
  std::string retired;                 // the previous key, kept in DNS until retire_at
  std::time_t retire_at = 0;
  std::time_t last_query = 0;  // the last time DNS was asked for `next`
  std::string waiting;         // why the last renewal did not switch to `next` ("" when it did)
  bool operator==(const DaneState&) const = default;
};

nlohmann::json dane_state_to_json(const DaneState& state);
DaneState dane_state_from_json(const nlohmann::json& json);

// The record's state; nullopt before the rollover's first step.
std::optional<DaneState> dane_state_of(const CertificateRecord& record);
void set_dane_state(CertificateRecord& record, const DaneState& state);

}  // namespace xmppcert
