// The HTTP API's JSON bodies: plain-string report text in, the proto's own field names out.
#include "http/json_messages.h"

#include <gtest/gtest.h>

#include "http/http_status.h"

namespace radlabel {
namespace {

TEST(JsonMessagesTest, AReportsTextIsAPlainStringNotBase64) {
  const auto request = ParseLabelRequest(
      R"({"reports": [{"id": "a", "text": "Mass \u00e9 \"quoted\"\nnext"}], "include_evidence": true})");
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_EQ(request->reports_size(), 1);
  EXPECT_EQ(request->reports(0).id(), "a");
  EXPECT_EQ(request->reports(0).text(), "Mass \xc3\xa9 \"quoted\"\nnext");
  EXPECT_TRUE(request->include_evidence());
}

TEST(JsonMessagesTest, LowerCamelCaseKeysAreAcceptedToo) {
  const auto request = ParseLabelRequest(R"({"reports": [], "includeEvidence": true})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_TRUE(request->include_evidence());
}

TEST(JsonMessagesTest, AnUnknownFieldOrAWrongTypeIsAnInvalidArgumentNamingIt) {
  for (const char* body : {R"({"reports": [{"id": "a", "body": "x"}]})", R"({"reports": 3})",
                           R"({"reports": [{"id": "a", "text": 7}]})", "", "[]"}) {
    const auto request = ParseLabelRequest(body);
    ASSERT_FALSE(request.ok()) << body;
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(request.status().message().find("docs/http-api.md"), absl::string_view::npos);
  }
  EXPECT_NE(ParseLabelRequest(R"({"reports": [{"id": "a", "body": "x"}]})")
                .status().message().find("body"),
            absl::string_view::npos);
}

// protobuf's parse errors quote the body around the failure: none of it may come back.
TEST(JsonMessagesTest, AnUnreadableBodyIsAnErrorThatQuotesNoReportText) {
  for (const char* body : {R"({"reports": [{"id": "a", "text": "Zebedee Quimby has "a tumour"}]})",
                           R"({"reports": [{"id": "a", "text": "Zebedee Quimby)",
                           "{\"reports\": [{\"id\": \"a\", \"text\": \"Zebedee \xff Quimby\"}]}"}) {
    const auto request = ParseLabelRequest(body);
    ASSERT_FALSE(request.ok()) << body;
    EXPECT_EQ(request.status().message().find("Zebedee"), absl::string_view::npos)
        << request.status();
    EXPECT_EQ(request.status().message().find("Quimby"), absl::string_view::npos)
        << request.status();
  }
}

TEST(JsonMessagesTest, AnswersUseTheProtosFieldNamesAndWriteDefaults) {
  v1::LabelResponse response;
  v1::ReportResult* result = response.add_results();
  result->set_id("a");
  result->set_num_tokens(4);
  // Message fields are written when set (the server sets every result's status).
  EXPECT_EQ(ToJson(response),
            R"({"results":[{"id":"a","labels":[],"num_tokens":4,"num_chunks":0}]})");
  EXPECT_EQ(ErrorJson(absl::ResourceExhaustedError("the queue is full")),
            R"({"code":"RESOURCE_EXHAUSTED","message":"the queue is full"})");
}

TEST(HttpStatusTest, EveryCodeTheServiceReturnsHasItsStatus) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInternal), 500);
}

}  // namespace
}  // namespace radlabel
