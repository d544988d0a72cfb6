// The server's log of requests: one JSON line per answered request (a unary call, a stream
// message or an HTTP request) and, every summary period in which some were refused, one line
// that counts the refusals by method and code. Refusals (no token, queue full, draining,
// unreadable) are summarised rather than written one by one, so that a flood of them cannot
// flood the log. Never report text; report ids only when asked (they may identify patients).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/periodic_task.h"
#include "core/labeller.h"
#include "metrics/metrics.h"

namespace radlabel {

struct CallLogOptions {
  // One line per answered request. Default true.
  bool requests = true;
  // The answered request's report ids in its line. Default false: ids such as accession
  // numbers may identify a patient.
  bool report_ids = false;
  // How often refusals are summarised (a line only when there were some). Default 60 s.
  absl::Duration summary_period = absl::Seconds(60);
};

class CallLog {
 public:
  // Writes to `out`, which must outlive the log, one whole line at a time.
  CallLog(const CallLogOptions& options, std::ostream& out);

  // A request answered with `code` (the code its caller saw): its reports' outcomes and ids,
  // and how long it took from receipt to answer.
  void Answered(Rpc rpc, absl::StatusCode code, const std::vector<ReportOutcome>& outcomes,
                const std::vector<std::string>& ids, absl::Duration latency);
  // A request refused whole with `code`; counted for the next summary.
  void Refused(Rpc rpc, absl::StatusCode code);

  // Writes the summary of refusals since the last one, if there were any (also done every
  // summary period, and when the log is destroyed).
  void Summarise();

  ~CallLog();

 private:
  void Write(const std::string& line);

  const CallLogOptions options_;
  std::ostream& out_;
  absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, int64_t> refused_ ABSL_GUARDED_BY(mu_);
  absl::Time summary_since_ ABSL_GUARDED_BY(mu_);
  absl::Mutex out_mu_;
  PeriodicTask summaries_;  // last: stops before the members it reads go
};

}  // namespace radlabel
