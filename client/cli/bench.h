// The load-testing harness behind `radlabel bench`.
//
// Closed loop: `concurrency` callers, each sending its next request as soon as the previous one
// is answered (unary calls), or `concurrency` LabelStream calls each keeping up to
// stream_max_in_flight reports outstanding. Open loop: requests arrive as a Poisson process at
// `rate` per second whatever the server does, each an asynchronous unary call; latency counts
// from the scheduled arrival, so a server that falls behind shows it (no coordinated omission).
// Reports are drawn from the corpus in order, wrapping around.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radlabel/client.h"

namespace radlabel {

struct BenchOptions {
  enum class Mode { kClosed, kOpen };
  Mode mode = Mode::kClosed;
  // Closed loop: concurrent callers (unary) or streams. Default 1.
  int concurrency = 1;
  // Closed loop: LabelStream calls instead of unary calls.
  bool stream = false;
  // Reports per unary call or per stream message. Default 1.
  int reports_per_request = 1;
  // Reports outstanding per stream. Default 256.
  int stream_max_in_flight = 256;
  // Open loop: mean arrival rate, requests per second.
  double rate = 0;
  // Stop sending after this long. Default 20 s.
  absl::Duration duration = absl::Seconds(20);
  // Stop sending after this many reports; 0: no limit.
  int64_t max_reports = 0;
  // Seed of the open loop's arrival times.
  uint64_t seed = 1;

  absl::Status Validate() const;
  std::string Describe() const;
};

struct BenchResult {
  std::string description;
  int64_t requests = 0;
  int64_t reports_ok = 0;
  int64_t reports_failed = 0;
  absl::Duration elapsed;             // first send to last answer
  std::vector<double> latencies;      // seconds per request (per report for streams), sorted
  std::map<std::string, int64_t> errors_by_code;  // reports not labelled, by status code name

  double reports_per_second() const;
  double LatencyQuantile(double q) const;  // seconds; 0 when there are none
  std::string Text() const;
  std::string Json() const;
};

absl::StatusOr<BenchResult> RunBench(Client& client, const std::vector<v1::Report>& corpus,
                                     const BenchOptions& options);

}  // namespace radlabel
