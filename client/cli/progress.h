// Progress of a labelling job on stderr: done/total, rate, ETA; and the closing summary with,
// for a job long enough to measure a rate, the time 100,000 reports would take at that rate
// against the 30-minute target.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace radlabel {

// The study's target: 100,000 reports in 30 minutes.
inline constexpr double kTargetReports = 100000;
inline constexpr absl::Duration kTargetDuration = absl::Minutes(30);
// A job's rate is projected to 100,000 reports only from this many reports and this long a run:
// shorter jobs measure connection set-up and the first batches, not a rate.
inline constexpr int64_t kProjectionMinReports = 1000;
inline constexpr absl::Duration kProjectionMinDuration = absl::Seconds(5);

class Progress {
 public:
  // `total` < 0 when unknown. Lines are rewritten in place when stderr is a terminal.
  Progress(int64_t total, absl::Time start);
  // Prints at most twice a second.
  void Update(int64_t done, absl::Time now);
  // The summary, e.g. "labelled 2000 reports (0 failed) in 5.1 s: 392.2 reports/s", and for a
  // long enough job the projection, naming `model` (the served model's name and version).
  std::string Summary(int64_t done, int64_t failed, absl::Time now, absl::string_view model) const;

 private:
  const int64_t total_;
  const absl::Time start_;
  const bool tty_;
  absl::Time last_print_ = absl::InfinitePast();
};

// "100,000 reports would take 4.3 min at 392.2 reports/s: within the 30 min target".
std::string ProjectTo100k(double reports_per_second);

}  // namespace radlabel
