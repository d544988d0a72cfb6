#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace radlabel {

Progress::Progress(int64_t total, absl::Time start)
    : total_(total), start_(start), tty_(isatty(STDERR_FILENO) == 1) {}

void Progress::Update(int64_t done, absl::Time now) {
  if (now - last_print_ < absl::Milliseconds(500)) return;
  last_print_ = now;
  const double seconds = absl::ToDoubleSeconds(now - start_);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = absl::StrFormat("labelled %d", done);
  if (total_ >= 0) {
    absl::StrAppendFormat(&line, "/%d", total_);
    if (rate > 0) {
      absl::StrAppendFormat(&line, ", ETA %.0f s", static_cast<double>(total_ - done) / rate);
    }
  }
  absl::StrAppendFormat(&line, ", %.1f reports/s", rate);
  std::fprintf(stderr, tty_ ? "\r%s\x1b[K" : "%s\n", line.c_str());
  std::fflush(stderr);
}

std::string Progress::Summary(int64_t done, int64_t failed, absl::Time now,
                              absl::string_view model) const {
  const double seconds = absl::ToDoubleSeconds(now - start_);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string summary = absl::StrFormat("%slabelled %d reports (%d failed) in %.2f s: %.1f reports/s\n",
                                        tty_ ? "\r\x1b[K" : "", done, failed, seconds, rate);
  if (done >= kProjectionMinReports && now - start_ >= kProjectionMinDuration) {
    absl::StrAppend(&summary, ProjectTo100k(rate), " (model ", model, ")\n");
  }
  return summary;
}

std::string ProjectTo100k(double reports_per_second) {
  if (reports_per_second <= 0) return "no reports labelled: no projection";
  const absl::Duration projected = absl::Seconds(kTargetReports / reports_per_second);
  return absl::StrFormat(
      "100,000 reports would take %.1f min at %.1f reports/s: %s the %.0f min target",
      absl::ToDoubleMinutes(projected), reports_per_second,
      projected <= kTargetDuration ? "within" : "OVER", absl::ToDoubleMinutes(kTargetDuration));
}

}  // namespace radlabel
