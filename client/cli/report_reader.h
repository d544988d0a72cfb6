// Reads reports from a CSV export (columns chosen by name) or from JSONL ({"id": ..., "text": ...}
// per line). Errors name the line and the column, never report text.
#pragma once

#include <memory>
#include <optional>
#include <string>

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

class ReportReader {
 public:
  virtual ~ReportReader() = default;
  // The next report; std::nullopt at the end of the input.
  virtual absl::StatusOr<std::optional<v1::Report>> Next() = 0;
};

absl::StatusOr<std::unique_ptr<ReportReader>> OpenReportReader(const std::string& path,
                                                               ReportFormat format,
                                                               const ReportColumns& columns);

// Number of reports in the input (reads it once through).
absl::StatusOr<int64_t> CountReports(const std::string& path, ReportFormat format,
                                     const ReportColumns& columns);

}  // namespace radlabel
