#include "core/labeller.h"

#include <gtest/gtest.h>

#include "core/pipeline.h"

#include "fake_model.h"
#include "word_bundle.h"

namespace radlabel {
namespace {

using testing::FakeModel;
using testing::kVocab;
using testing::TestBundle;
using testing::WordAttention;
using testing::WordDetector;

class LabellerTest : public ::testing::Test {
 protected:
  LabellerTest() {
    auto model = std::make_unique<FakeModel>(WordDetector, WordAttention);
    model_ = model.get();
    BatcherOptions options;
    options.max_batch_tokens = 64;
    options.max_queue_delay = absl::ZeroDuration();
    pipeline_ = *Pipeline::Create(TestBundle(), *WordPieceTokenizer::Create(kVocab, {}),
                                  std::move(model), options);
  }

  std::vector<ReportOutcome> LabelAndWait(const std::vector<ReportRef>& reports,
                                          LabelOptions options = {}) {
    std::vector<ReportOutcome> result;
    testing::Notification done;
    const absl::Status status = pipeline_->labeller().Label(reports, options, [&](std::vector<ReportOutcome> outcomes) {
      result = std::move(outcomes);
      done.Notify();
    });
    EXPECT_TRUE(status.ok()) << status;
    done.WaitForNotification();
    return result;
  }

  FakeModel* model_;  // owned by the pipeline
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(LabellerTest, AFindingInTheLastOfThreeWindowsIsNotLost) {
  // 11 tokens, windows of 4 with overlap 1 (stride 3): [0,4) [3,7) [6,10) [9,11) -> 4 windows;
  // 10 tokens -> [0,4) [3,7) [6,10): 3 windows, "stroke" only in the last.
  const std::vector<ReportOutcome> outcomes =
      LabelAndWait({{"r1", "normal normal normal normal normal normal normal normal normal stroke"}});
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status;
  EXPECT_EQ(outcomes[0].num_tokens, 10);
  EXPECT_EQ(outcomes[0].num_windows, 3);
  EXPECT_EQ(outcomes[0].probabilities,
            (std::vector<float>{0.05f, 0.9f, 0.05f, 0.7f, 0.1f, 0.2f}));
  EXPECT_EQ(outcomes[0].decisions, (std::vector<int>{1, 0}));
}

TEST_F(LabellerTest, BadReportsFailAloneAndBatchMatesSucceed) {
  const std::string not_utf8 = "mass \xff\xfe lesion";
  const std::vector<ReportOutcome> outcomes = LabelAndWait({{"good1", "mass"},
                                                            {"empty", ""},
                                                            {"binary", not_utf8},
                                                            {"blank", " \n\t "},
                                                            {"", "stroke"},
                                                            {"good2", "stroke"}});
  ASSERT_EQ(outcomes.size(), 6u);
  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_EQ(outcomes[0].decisions, (std::vector<int>{0, 1}));
  for (int bad : {1, 2, 3, 4}) {
    EXPECT_EQ(outcomes[bad].status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(outcomes[bad].probabilities.empty());
  }
  EXPECT_NE(outcomes[1].status.message().find("'empty'"), absl::string_view::npos);
  EXPECT_NE(outcomes[2].status.message().find("UTF-8"), absl::string_view::npos);
  // Errors name the report, never its text.
  EXPECT_EQ(outcomes[2].status.message().find("lesion"), absl::string_view::npos);
  EXPECT_TRUE(outcomes[5].status.ok());
  EXPECT_EQ(outcomes[5].decisions, (std::vector<int>{1, 0}));
}

TEST_F(LabellerTest, AnOversizedReportAndARepeatedIdFailAloneNamingTheFix) {
  LabelOptions options;
  options.max_report_bytes = 20;
  const std::vector<ReportOutcome> outcomes = LabelAndWait(
      {{"a", "stroke"}, {"big", "normal normal normal normal"}, {"a", "normal"}, {"b", "normal"}},
      options);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_TRUE(outcomes[0].status.ok()) << outcomes[0].status;
  EXPECT_EQ(outcomes[1].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(outcomes[1].status.message().find("'big' has 27 bytes of text, more than the 20"),
            absl::string_view::npos) << outcomes[1].status;
  EXPECT_EQ(outcomes[2].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(outcomes[2].status.message().find("'a' appears more than once"), absl::string_view::npos)
      << outcomes[2].status;
  EXPECT_TRUE(outcomes[3].status.ok()) << outcomes[3].status;
  EXPECT_EQ(outcomes[0].decisions, (std::vector<int>{1, 0}));
}

TEST_F(LabellerTest, OnlyInvalidReportsCompleteWithoutTheModel) {
  const std::vector<ReportOutcome> outcomes = LabelAndWait({{"empty", ""}});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(model_->batches().empty());
}

TEST_F(LabellerTest, AModelFailureFailsItsReportsWithInternal) {
  model_->FailWhen([](const TokenBatch&) { return true; });
  const std::vector<ReportOutcome> outcomes = LabelAndWait({{"r1", "stroke"}, {"r2", "mass"}});
  for (const ReportOutcome& o : outcomes) EXPECT_EQ(o.status.code(), absl::StatusCode::kInternal);
}

TEST_F(LabellerTest, EvidenceIsTheAttendedSentenceInCodePointsFromTheDecidingWindow) {
  // Tokens: normal normal e . normal stroke normal . mass (9; "e" and "." are [UNK]); windows
  // [0,4) [3,7) [6,9): "stroke" decides in the second window, "mass" in the third. "é" is two
  // bytes, so byte and code point offsets differ after it.
  const std::string text = "normal normal \xc3\xa9. normal stroke normal. mass";
  LabelOptions options;
  options.evidence = true;
  const std::vector<ReportOutcome> outcomes = LabelAndWait({{"r1", text}}, options);
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status;
  EXPECT_EQ(outcomes[0].num_windows, 3);
  ASSERT_EQ(outcomes[0].evidence.size(), 2u);
  ASSERT_TRUE(outcomes[0].evidence[0].has_value());
  EXPECT_EQ(outcomes[0].evidence[0]->start, 17);
  EXPECT_EQ(outcomes[0].evidence[0]->end, 38);  // "normal stroke normal."
  EXPECT_FLOAT_EQ(outcomes[0].evidence[0]->weight, 1.0f);
  ASSERT_TRUE(outcomes[0].evidence[1].has_value());
  EXPECT_EQ(outcomes[0].evidence[1]->start, 39);
  EXPECT_EQ(outcomes[0].evidence[1]->end, 43);  // "mass"
}

TEST_F(LabellerTest, NegativeLabelsGetNoEvidenceAndItIsOffByDefault) {
  LabelOptions options;
  options.evidence = true;
  std::vector<ReportOutcome> outcomes = LabelAndWait({{"r1", "normal stroke."}}, options);
  ASSERT_EQ(outcomes[0].evidence.size(), 2u);
  EXPECT_TRUE(outcomes[0].evidence[0].has_value());
  EXPECT_FALSE(outcomes[0].evidence[1].has_value());  // mass: negative
  outcomes = LabelAndWait({{"r1", "normal stroke."}});
  EXPECT_TRUE(outcomes[0].evidence.empty());
  EXPECT_FALSE(model_->batches().back().with_attention);
}

TEST_F(LabellerTest, EvidenceOutlivesTheCallersText) {
  // The service may free a stream message once Label returns; evidence is found later.
  testing::Notification entered, release, done;
  model_->HoldInRun(&entered, &release);
  LabelOptions options;
  options.evidence = true;
  std::vector<ReportOutcome> result;
  {
    std::string text = "normal. stroke here.";
    const std::vector<ReportRef> reports = {{"r1", text}};
    ASSERT_TRUE(pipeline_->labeller().Label(reports, options, [&](std::vector<ReportOutcome> outcomes) {
                  result = std::move(outcomes);
                  done.Notify();
                }).ok());
    entered.WaitForNotification();
    text.assign(text.size(), '#');  // the caller reuses its buffer
  }
  release.Notify();
  done.WaitForNotification();
  ASSERT_TRUE(result[0].evidence[0].has_value());
  EXPECT_EQ(result[0].evidence[0]->start, 8);
  EXPECT_EQ(result[0].evidence[0]->end, 20);  // "stroke here."
}

TEST(LabellerWithoutEvidenceTest, AskingForEvidenceFailsThePreconditionNamingTheFix) {
  const std::unique_ptr<Pipeline> pipeline =
      *Pipeline::Create(TestBundle(), *WordPieceTokenizer::Create(kVocab, {}),
                        std::make_unique<FakeModel>(WordDetector), {});
  Labeller& labeller = pipeline->labeller();
  LabelOptions options;
  options.evidence = true;
  const std::vector<ReportRef> reports = {{"r1", "stroke"}};
  const absl::Status status =
      labeller.Label(reports, options, [](std::vector<ReportOutcome>) { FAIL(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("include_evidence"), absl::string_view::npos);
}

}  // namespace
}  // namespace radlabel
