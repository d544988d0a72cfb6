// Resuming an interrupted `radlabel label` job: what its output file already holds.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "cli/report_reader.h"

namespace radlabel {

struct FinishedResults {
  absl::flat_hash_set<std::string> ids;  // the reports not to send again
  int64_t changed = 0;                   // results dropped because their report's text changed
};

// Rewrites the output file `path` of an earlier run (CSV or JSONL, as radlabel writes them) to
// hold only its complete records whose outcome is final and that were labelled from what the
// input holds now: `input_sources` maps each input id to its SourceFingerprint (input_scan.h).
// Dropped: a record cut off by a crash; reports that failed for a reason a retry can cure
// (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, CANCELLED, ABORTED, INTERNAL, UNKNOWN);
// results whose report's text has changed since (counted in `changed`: they are labelled
// again); a repeated id after its first record. Refused, the file left as it is: a record
// that is not a radlabel result, one without source_sha256 (written by another tool or an
// older radlabel; for CSV also a header whose last column is not source_sha256 and a row of
// other columns than the header's), results for ids the input does not hold (another job's
// output), and a non-empty file with no complete record. A missing or empty file keeps
// nothing.
absl::StatusOr<FinishedResults> KeepFinishedResults(
    const std::string& path, ReportFormat format,
    const absl::flat_hash_map<std::string, std::string>& input_sources);

}  // namespace radlabel
