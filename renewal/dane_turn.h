// The DANE and POSH steps of a certificate's turn (renewal/renewal.cc): keep the TLSA RRset
// at current + next key (publishing, querying, retiring through engine/dane_rollover.h), move
// the rollover on after an issuance, and rewrite the POSH documents.
#pragma once

#include <ctime>

#include "engine/keys.h"
#include "engine/store.h"

namespace xmppcert {

// For an issued certificate whose request has "dane": creates the DANE state and the next key
// the first time, publishes what DNS lacks, removes a retired key's record when its time has
// come, and asks DNS whether the next key's record is visible. Saves the record. A failed
// update is recorded as the last attempt and thrown (OperationError): nothing was removed.
void step_dane(const Store& store, CertificateRecord& record, const CertificateRequest& request,
               std::time_t now);

// After `record` was issued: when `switched` (the next key was certified) the previous key is
// retired and a new next key generated; then step_dane.
void after_issue_dane(const Store& store, CertificateRecord& record,
                      const CertificateRequest& request, bool switched, std::time_t now);

// The key a due renewal of `record` certifies; null when it waits (`waiting` says why, and is
// saved in the record for `status`). `switching` tells whether it is the next key.
PKeyPtr dane_key_for_renewal(const Store& store, CertificateRecord& record,
                             const CertificateRequest& request, std::time_t now, bool& switching,
                             std::string& waiting);

// Writes the POSH documents for the current certificate (and, while the previous key's TLSA
// record is still published, the previous certificate too), `expires` cut to the time the
// current certificate has left.
void refresh_posh(const Store& store, const CertificateRecord& record, const PoshSettings& posh,
                  std::time_t now);

// Whether the POSH documents are missing (a new "posh" setting): then written without renewal.
bool posh_documents_missing(const PoshSettings& posh);

}  // namespace xmppcert
