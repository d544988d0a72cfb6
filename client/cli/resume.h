// Resuming an interrupted `radlabel label` job: what its output file already holds.
#pragma once

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "cli/report_reader.h"

namespace radlabel {

// Rewrites the output file `path` of an earlier run (CSV or JSONL, as radlabel writes them) to
// hold only its complete records whose outcome is final: labelled, or refused for bad input.
// Dropped: a record cut off by a crash, and reports that failed for a reason a retry can cure
// (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, CANCELLED, ABORTED, INTERNAL, UNKNOWN),
// and a repeated id after its first record. Returns the ids kept: the reports not to send again.
// A missing file keeps nothing.
absl::StatusOr<absl::flat_hash_set<std::string>> KeepFinishedResults(const std::string& path,
                                                                     ReportFormat format);

}  // namespace radlabel
