#include "renewal/renewal_info_poll.h"

#include <algorithm>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/renewal_window.h"
#include "engine/state_lock.h"

namespace xmppcert {

std::chrono::seconds renewal_info_poll_delay(std::optional<std::chrono::seconds> retry_after) {
  if (!retry_after) return kDefaultRenewalInfoPoll;
  return std::clamp(*retry_after, kShortestRenewalInfoPoll, kLongestRenewalInfoPoll);
}

std::time_t first_renewal_info_poll(const CertificateRecord& issued, std::time_t now) {
  std::optional<std::chrono::seconds> retry_after;
  if (issued.renewal_info_retry_after > 0)
    retry_after = std::chrono::seconds(issued.renewal_info_retry_after);
  return now + renewal_info_poll_delay(retry_after).count();
}

std::optional<std::time_t> poll_renewal_info(const RenewalInfoPoll& poll,
                                             const CertificateRequest& request, Issuer& issuer,
                                             std::time_t now) {
  try {
    std::optional<CertificateRecord> asked = poll.store.load(request.name);
    if (!asked || asked->current_version == 0 || asked->revoked)
      return now + kDefaultRenewalInfoPoll.count();
    auto path = poll.store.version(request.name, asked->current_version).cert_path();
    X509Ptr certificate = parse_certificate(read_file(path), path.string());
    // Asked without the lock: a slow CA must not hold up the CLI.
    std::optional<RenewalAdvice> advice = issuer.renewal_advice(certificate.get());
    if (!advice) return std::nullopt;
    std::time_t next_poll = now + renewal_info_poll_delay(advice->retry_after).count();

    StateLock lock(poll.state_dir, poll.lock_wait);
    std::optional<CertificateRecord> record = poll.store.load(request.name);
    if (!record || record->current_version != asked->current_version ||
        record->certificate.serial_hex != asked->certificate.serial_hex)
      return next_poll;  // renewed meanwhile: the advice was about the previous certificate
    // What `status` shows: the window as the issuer gave it, and when it is asked again.
    record->renewal_window_start = advice->window_start;
    record->renewal_window_end = advice->window_end;
    record->next_renewal_info_poll = next_poll;
    if (!window_ends_before_expiry(advice->window_end, record->certificate.not_after)) {
      log_line(request.name, "renewal window " + format_utc(advice->window_start) + " .. " +
                                 format_utc(advice->window_end) +
                                 " ignored: it ends after the certificate expires (" +
                                 format_utc(record->certificate.not_after) + ")");
      poll.store.save(*record);
      return next_poll;
    }
    std::time_t renew_at = renewal_time_in_window(record->next_renewal, advice->window_start,
                                                  advice->window_end, random_u64());
    if (poll.runs_once && advice->window_start <= now) renew_at = std::min(renew_at, now);
    if (renew_at != record->next_renewal) {
      log_line(request.name, "renewal window now " + format_utc(advice->window_start) + " .. " +
                                 format_utc(advice->window_end) + ": renewing at " +
                                 format_utc(renew_at) + (renew_at <= now ? " (passed: now)" : "") +
                                 "; asking again at " + format_utc(next_poll));
      record->next_renewal = renew_at;
    } else {
      log_line(request.name, "renewal window " + format_utc(advice->window_start) + " .. " +
                                 format_utc(advice->window_end) + " holds the renewal at " +
                                 format_utc(renew_at) + "; asking again at " +
                                 format_utc(next_poll));
    }
    poll.store.save(*record);
    return next_poll;
  } catch (const std::exception& e) {
    log_line(request.name, std::string("renewal information not polled: ") + e.what());
    return now + kRenewalInfoPollAfterFailure.count();
  }
}

void poll_renewal_info_of(const std::vector<PlannedCertificate>& plans, const RenewalInfoPoll& poll,
                          std::time_t now) {
  for (const auto& plan : plans)
    if (plan.issuer) poll_renewal_info(poll, plan.request, *plan.issuer, now);
}

}  // namespace xmppcert
