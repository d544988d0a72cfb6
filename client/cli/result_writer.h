// Writes labelling results as JSONL (one object per report) or CSV (one row per report: id,
// status, error, tokens, windows (num_chunks), then per label its decision in the CheXpert convention (1
// positive, 0 negative, -1 uncertain; other class names as they are), one probability per
// class, and with evidence the supporting sentence; last, source_sha256: what the result was
// labelled from, input_scan.h's SourceFingerprint, which --resume compares with the input).
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
  // `text` is the report's text, needed only to quote evidence sentences; `source_sha256` its
  // SourceFingerprint.
  virtual absl::Status Write(const v1::ReportResult& result, absl::string_view text,
                             absl::string_view source_sha256) = 0;
  // Flushes and closes; reports a failed write (disk full) here at the latest.
  virtual absl::Status Close() = 0;
};

// `info` names the labels and classes (CSV header). Path "-" writes to standard output. With
// `evidence`, each label also gets its evidence sentence (CSV column <label>_evidence; JSONL
// "evidence": {"start", "end", "text"}, offsets in code points). With `append`, results go
// after what the file holds (a resumed job; no second CSV header).
absl::StatusOr<std::unique_ptr<ResultWriter>> OpenResultWriter(const std::string& path,
                                                               ReportFormat format,
                                                               const v1::ModelInfo& info,
                                                               bool evidence, bool append);

// The CheXpert value of a class name: "1" positive, "0" negative, "-1" uncertain; any other
// name as it is.
std::string ChexpertValue(absl::string_view class_name);

// text[start, end) where start and end count Unicode code points; clamped to the text.
absl::string_view CodePointSubstr(absl::string_view text, int start, int end);


}  // namespace radlabel
