// The log of requests: a JSON line per answered request with no report text and no ids unless
// asked, and refusals counted into one summary line instead of a line each.
#include "service/call_log.h"

#include <gtest/gtest.h>

#include <sstream>

#include "absl/strings/str_split.h"

namespace radlabel {
namespace {

std::vector<ReportOutcome> TwoOutcomes() {
  std::vector<ReportOutcome> outcomes(2);
  outcomes[0].num_windows = 3;
  outcomes[1].status = absl::InvalidArgumentError("report 'b' is empty");
  return outcomes;
}

std::vector<std::string> Lines(const std::ostringstream& out) {
  return absl::StrSplit(out.str(), '\n', absl::SkipEmpty());
}

TEST(CallLogTest, AnAnsweredRequestIsOneJsonLineWithItsCountsAndNoIds) {
  std::ostringstream out;
  {
    CallLog log(CallLogOptions(), out);
    log.Answered(Rpc::kLabel, absl::StatusCode::kOk, TwoOutcomes(), {"MRN-123", "b"},
                 absl::Milliseconds(12.5));
  }
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out.str();
  for (const char* field : {R"("event":"request")", R"("rpc":"Label")", R"("code":"OK")",
                            R"("reports":2)", R"("failed_reports":1)", R"("windows":3)",
                            R"("latency_ms":12.5)"}) {
    EXPECT_NE(lines[0].find(field), std::string::npos) << field << " in " << lines[0];
  }
  EXPECT_EQ(lines[0].find("MRN-123"), std::string::npos) << "ids only when asked";
  EXPECT_EQ(lines[0].front(), '{');
  EXPECT_EQ(lines[0].back(), '}');
}

TEST(CallLogTest, IdsAreWrittenWhenAskedAsJsonStrings) {
  std::ostringstream out;
  CallLogOptions options;
  options.report_ids = true;
  {
    CallLog log(options, out);
    log.Answered(Rpc::kLabelStream, absl::StatusCode::kDeadlineExceeded, TwoOutcomes(),
                 {"a\"quoted\\id", "line\nbreak"}, absl::Milliseconds(1));
  }
  EXPECT_NE(out.str().find(R"("report_ids":["a\"quoted\\id","line\nbreak"])"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find(R"("code":"DEADLINE_EXCEEDED")"), std::string::npos);
  EXPECT_EQ(Lines(out).size(), 1u) << "a line break in an id must not break the line";
}

TEST(CallLogTest, RefusalsAreCountedIntoOneSummaryLineNotALineEach) {
  std::ostringstream out;
  CallLog log(CallLogOptions(), out);
  for (int i = 0; i < 5000; ++i) log.Refused(Rpc::kLabel, absl::StatusCode::kResourceExhausted);
  for (int i = 0; i < 129; ++i) log.Refused(Rpc::kHttpLabel, absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(out.str().empty()) << "nothing before the summary";
  log.Summarise();
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out.str();
  EXPECT_NE(lines[0].find(R"("event":"refusals")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("requests":5129)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"({"rpc":"Label","code":"RESOURCE_EXHAUSTED","requests":5000})"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(R"({"rpc":"HttpLabel","code":"UNAUTHENTICATED","requests":129})"),
            std::string::npos)
      << lines[0];
  log.Summarise();
  EXPECT_EQ(Lines(out).size(), 1u) << "no refusals since: no line";
}

TEST(CallLogTest, WithoutRequestLinesOnlyTheSummaryIsWritten) {
  std::ostringstream out;
  CallLogOptions options;
  options.requests = false;
  {
    CallLog log(options, out);
    log.Answered(Rpc::kLabel, absl::StatusCode::kOk, TwoOutcomes(), {"a", "b"},
                 absl::Milliseconds(1));
    log.Refused(Rpc::kLabel, absl::StatusCode::kUnavailable);
  }  // the last summary is written when the log goes
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out.str();
  EXPECT_NE(lines[0].find(R"("event":"refusals")"), std::string::npos);
}

}  // namespace
}  // namespace radlabel
