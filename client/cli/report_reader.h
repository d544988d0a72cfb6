// Reads reports from a CSV export (columns chosen by name) or from JSONL ({"id": ..., "text": ...}
// per line), from a file or, for the path "-", standard input. Errors name the line and the
// column, never report text.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "radlabel/v1/labeller.pb.h"

namespace radlabel {

enum class ReportFormat { kCsv, kJsonl };

// "csv" or "jsonl"; "auto" picks by the file extension (.jsonl/.ndjson/.json: JSONL, else CSV).
absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& name, const std::string& path);

struct ReportColumns {
  std::string id = "id";
  std::string text = "text";
};

// One record of the input. A record that cannot be a report (a JSONL line that is not an object
// with the id and text keys, a CSV row with too few fields) fails alone: `report` says why,
// naming the line, and reading goes on.
struct InputRecord {
  int64_t line = 0;  // where the record starts, from 1
  absl::StatusOr<v1::Report> report;
};

class ReportReader {
 public:
  virtual ~ReportReader() = default;
  // The next record; std::nullopt at the end of the input. An error here ends the input (it
  // cannot be read, or a CSV quote is never closed).
  virtual absl::StatusOr<std::optional<InputRecord>> Next() = 0;
};

absl::StatusOr<std::unique_ptr<ReportReader>> OpenReportReader(const std::string& path,
                                                               ReportFormat format,
                                                               const ReportColumns& columns);

// Every report of a corpus (a benchmark's input), which must have no bad record.
absl::StatusOr<std::vector<v1::Report>> ReadCorpus(const std::string& path, ReportFormat format,
                                                   const ReportColumns& columns);

}  // namespace radlabel
