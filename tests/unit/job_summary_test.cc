// A labelling job's closing words: the failure summary (by code, first ids, the --errors file)
// and the projection to 100,000 reports, given only for a job long enough to measure a rate.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/failure_summary.h"
#include "cli/progress.h"

namespace radlabel {
namespace {

namespace fs = std::filesystem;

TEST(FailureSummaryTest, CountsByCodeListsTheFirstIdsAndWritesEveryFailure) {
  const fs::path path = fs::temp_directory_path() / ("radlabel_errors_" + std::to_string(getpid()));
  auto summary = FailureSummary::Open(path.string(), /*append=*/false);
  ASSERT_TRUE(summary.ok()) << summary.status();
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE((*summary)->AddReport("r" + std::to_string(i), 3, "report 'r' has empty text").ok());
  }
  ASSERT_TRUE((*summary)->AddReport("q\"1", 14, "the server is shutting down").ok());
  ASSERT_TRUE((*summary)->AddRecord(12, "in.jsonl line 12 is not a JSON object").ok());
  ASSERT_TRUE((*summary)->Close().ok());
  EXPECT_EQ((*summary)->count(), 9);
  EXPECT_EQ((*summary)->Text(),
            "9 reports failed: INVALID_ARGUMENT 8 (r0, r1, r2, r3, r4, ...), UNAVAILABLE 1 (q\"1); "
            "all of them are in " + path.string() + "\n");
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0], R"({"id":"r0","code":"INVALID_ARGUMENT","message":"report 'r' has empty text"})");
  EXPECT_EQ(lines[7], R"({"id":"q\"1","code":"UNAVAILABLE","message":"the server is shutting down"})");
  EXPECT_EQ(lines[8], R"({"line":12,"code":"INVALID_ARGUMENT","message":"in.jsonl line 12 is not a JSON object"})");
  // A resumed job appends: the failures of the run before it stay.
  auto resumed = FailureSummary::Open(path.string(), /*append=*/true);
  ASSERT_TRUE(resumed.ok());
  ASSERT_TRUE((*resumed)->AddRecord(40, "x").ok());
  ASSERT_TRUE((*resumed)->Close().ok());
  EXPECT_EQ((*resumed)->count(), 1);
  std::ifstream again(path);
  int count = 0;
  for (std::string line; std::getline(again, line);) ++count;
  EXPECT_EQ(count, 10);
  fs::remove(path);
}

TEST(FailureSummaryTest, SaysNothingWhenNothingFailedAndPointsToErrorsOtherwise) {
  auto summary = FailureSummary::Open("", /*append=*/false);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ((*summary)->Text(), "");
  ASSERT_TRUE((*summary)->AddRecord(3, "x").ok());
  EXPECT_EQ((*summary)->Text(),
            "1 report failed: INVALID_ARGUMENT 1 (line 3); write them all with --errors FILE\n");
  EXPECT_FALSE(FailureSummary::Open("-", /*append=*/false).ok());
}

TEST(ProgressTest, ProjectsTo100kOnlyForAJobLongEnoughAndNamesTheModel) {
  const absl::Time start = absl::UnixEpoch();
  const Progress progress(-1, start);
  const std::string model = "radlabel-head-mri-default 0.7.0";
  EXPECT_EQ(progress.Summary(7, 0, start + absl::Seconds(2), model).find("100,000"), std::string::npos);
  EXPECT_EQ(progress.Summary(5000, 0, start + absl::Seconds(3), model).find("100,000"),
            std::string::npos);  // many reports, but too short a run to be a rate
  const std::string long_job = progress.Summary(3000, 1, start + absl::Seconds(12), model);
  EXPECT_NE(long_job.find("labelled 3000 reports (1 failed) in 12.00 s: 250.0 reports/s"),
            std::string::npos) << long_job;
  EXPECT_NE(long_job.find("100,000 reports would take 6.7 min at 250.0 reports/s: within the 30 "
                          "min target (model radlabel-head-mri-default 0.7.0)"),
            std::string::npos) << long_job;
}

}  // namespace
}  // namespace radlabel
