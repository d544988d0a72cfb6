// Writes labelling results as JSONL (one object per report) or CSV (one row per report: id,
// status, error, tokens, chunks, then per label its decision and one probability per class).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cli/report_reader.h"
#include "radlabel/v1/labeller.pb.h"

namespace radlabel {

class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  virtual absl::Status Write(const v1::ReportResult& result) = 0;
  // Flushes and closes; reports a failed write (disk full) here at the latest.
  virtual absl::Status Close() = 0;
};

// `info` names the labels and classes (CSV header). Path "-" writes to standard output.
absl::StatusOr<std::unique_ptr<ResultWriter>> OpenResultWriter(const std::string& path,
                                                               ReportFormat format,
                                                               const v1::ModelInfo& info);

// `text` as a JSON string literal (RFC 8259 escaping), appended to `out`.
void AppendJsonString(absl::string_view text, std::string& out);

}  // namespace radlabel
