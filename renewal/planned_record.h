// A plan's record as stored: used like std::optional<CertificateRecord>, but a pointer's size
// while empty. xmppcertd keeps one plan per certificate between turns without its record
// (read again at the turn), so an empty record must cost nothing: at 10,000 certificates an
// empty optional would hold 10,000 records' worth of memory (issue 5's idle RSS target).
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "engine/store.h"

namespace xmppcert {

class PlannedRecord {
 public:
  PlannedRecord() = default;
  PlannedRecord(std::optional<CertificateRecord> record) { *this = std::move(record); }
  PlannedRecord(const PlannedRecord& other) { *this = other; }
  PlannedRecord(PlannedRecord&&) noexcept = default;
  PlannedRecord& operator=(PlannedRecord&&) noexcept = default;
  PlannedRecord& operator=(const PlannedRecord& other) {
    if (this != &other)
      record_ = other.record_ ? std::make_unique<CertificateRecord>(*other.record_) : nullptr;
    return *this;
  }
  PlannedRecord& operator=(CertificateRecord record) {
    record_ = std::make_unique<CertificateRecord>(std::move(record));
    return *this;
  }
  PlannedRecord& operator=(std::optional<CertificateRecord> record) {
    record_ = record ? std::make_unique<CertificateRecord>(std::move(*record)) : nullptr;
    return *this;
  }
  // Moves the record out as an optional (the plan is left empty).
  operator std::optional<CertificateRecord>() && {
    if (!record_) return std::nullopt;
    std::optional<CertificateRecord> out(std::move(*record_));
    record_.reset();
    return out;
  }

  explicit operator bool() const { return record_ != nullptr; }
  CertificateRecord& operator*() const { return *record_; }
  CertificateRecord* operator->() const { return record_.get(); }
  void reset() { record_.reset(); }

 private:
  std::unique_ptr<CertificateRecord> record_;
};

}  // namespace xmppcert
