#include "agent/renewal_info_poll.h"

#include "agent/schedule.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/renewal_window.h"
#include "engine/state_lock.h"

namespace xmppcert {
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
    if (!window_ends_before_expiry(advice->window_end, record->certificate.not_after)) {
      log_line(request.name, "renewal window " + format_utc(advice->window_start) + " .. " +
                                 format_utc(advice->window_end) +
                                 " ignored: it ends after the certificate expires (" +
                                 format_utc(record->certificate.not_after) + ")");
      return next_poll;
    }
    std::time_t renew_at = renewal_time_in_window(record->next_renewal, advice->window_start,
                                                  advice->window_end, random_u64());
    if (renew_at != record->next_renewal) {
      log_line(request.name, "renewal window now " + format_utc(advice->window_start) + " .. " +
                                 format_utc(advice->window_end) + ": renewing at " +
                                 format_utc(renew_at) + (renew_at <= now ? " (passed: now)" : ""));
      record->next_renewal = renew_at;
      poll.store.save(*record);
    }
    return next_poll;
  } catch (const std::exception& e) {
    log_line(request.name, std::string("renewal information not polled: ") + e.what());
    return now + kRenewalInfoPollAfterFailure.count();
  }
}

}  // namespace xmppcert
