// The failed reports of a labelling job: counted by status code with the first few ids for the
// closing summary, and each written as a JSON line to the --errors file when there is one. A
// failure names the report's id (or, for an input record that is not a report, its line) and
// the server's or reader's message, never report text. Safe to use from several threads (the
// reading and the answering side of a job).
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace radlabel {

class FailureSummary {
 public:
  // Ids listed per code in the summary; the --errors file has them all.
  static constexpr int kIdsShown = 5;

  // `errors_path`: the file to write every failure to ("" for none; "-" is not allowed, since
  // standard output may carry the results), appended to when `append` (a resumed job keeps the
  // failures of the runs before it there; its summary counts only its own).
  static absl::StatusOr<std::unique_ptr<FailureSummary>> Open(const std::string& errors_path,
                                                              bool append);

  // A report the server did not label (`code`: its gRPC status code).
  absl::Status AddReport(absl::string_view id, int code, absl::string_view message);
  // An input record that could not be read as a report (it was not sent).
  absl::Status AddRecord(int64_t line, absl::string_view message);

  int64_t count() const ABSL_LOCKS_EXCLUDED(mu_);
  // "" when nothing failed; else e.g. "3 reports failed: INVALID_ARGUMENT 2 (A3, line 7),
  // UNAVAILABLE 1 (B2); all of them are in errors.jsonl\n".
  std::string Text() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Close() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit FailureSummary(std::string errors_path) : errors_path_(std::move(errors_path)) {}
  // `shown`: the id or "line N" the summary lists; `locator`: the same as JSON members.
  absl::Status Add(const std::string& code, const std::string& shown, absl::string_view locator,
                   absl::string_view message) ABSL_LOCKS_EXCLUDED(mu_);

  const std::string errors_path_;
  mutable absl::Mutex mu_;
  std::ofstream errors_ ABSL_GUARDED_BY(mu_);
  int64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  struct Code {
    int64_t count = 0;
    std::vector<std::string> first;  // up to kIdsShown ids or "line N"
  };
  std::map<std::string, Code> by_code_ ABSL_GUARDED_BY(mu_);
};

}  // namespace radlabel
