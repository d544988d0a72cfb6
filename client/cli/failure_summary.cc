#include "cli/failure_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/result_writer.h"
#include "common/json_string.h"

namespace radlabel {

absl::StatusOr<std::unique_ptr<FailureSummary>> FailureSummary::Open(const std::string& errors_path,
                                                                     bool append) {
  if (errors_path == "-") {
    return absl::InvalidArgumentError("--errors needs a file, not '-' (standard output may carry "
                                      "the results)");
  }
  std::unique_ptr<FailureSummary> summary(new FailureSummary(errors_path));
  if (!errors_path.empty()) {
    absl::MutexLock lock(&summary->mu_);
    summary->errors_.open(errors_path,
                          std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    if (!summary->errors_) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot write --errors file ", errors_path, "; check the directory"));
    }
  }
  return summary;
}

absl::Status FailureSummary::AddReport(absl::string_view id, int code, absl::string_view message) {
  std::string locator = "\"id\":";
  AppendJsonString(id, locator);
  return Add(absl::StatusCodeToString(static_cast<absl::StatusCode>(code)), std::string(id),
             locator, message);
}

absl::Status FailureSummary::AddRecord(int64_t line, absl::string_view message) {
  return Add(absl::StatusCodeToString(absl::StatusCode::kInvalidArgument),
             absl::StrCat("line ", line), absl::StrCat("\"line\":", line), message);
}

absl::Status FailureSummary::Add(const std::string& code, const std::string& shown,
                                 absl::string_view locator, absl::string_view message) {
  absl::MutexLock lock(&mu_);
  ++count_;
  Code& entry = by_code_[code];
  ++entry.count;
  if (entry.first.size() < kIdsShown) entry.first.push_back(shown);
  if (!errors_.is_open()) return absl::OkStatus();
  std::string line = absl::StrCat("{", locator, ",\"code\":\"", code, "\",\"message\":");
  AppendJsonString(message, line);
  line += "}\n";
  errors_ << line;
  if (!errors_) {
    return absl::DataLossError(
        absl::StrCat("cannot write --errors file ", errors_path_, "; is the disk full?"));
  }
  return absl::OkStatus();
}

int64_t FailureSummary::count() const {
  absl::MutexLock lock(&mu_);
  return count_;
}

std::string FailureSummary::Text() const {
  absl::MutexLock lock(&mu_);
  if (count_ == 0) return "";
  std::vector<std::string> codes;
  for (const auto& [name, entry] : by_code_) {
    codes.push_back(absl::StrCat(name, " ", entry.count, " (", absl::StrJoin(entry.first, ", "),
                                 entry.count > static_cast<int64_t>(entry.first.size()) ? ", ..." : "",
                                 ")"));
  }
  return absl::StrCat(count_, count_ == 1 ? " report" : " reports", " failed: ",
                      absl::StrJoin(codes, ", "), "; ",
                      errors_path_.empty() ? "write them all with --errors FILE"
                                           : absl::StrCat("all of them are in ", errors_path_),
                      "\n");
}

absl::Status FailureSummary::Close() {
  absl::MutexLock lock(&mu_);
  if (!errors_.is_open()) return absl::OkStatus();
  errors_.close();
  if (!errors_) return absl::DataLossError(absl::StrCat("cannot write --errors file ", errors_path_));
  return absl::OkStatus();
}

}  // namespace radlabel
