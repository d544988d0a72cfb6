#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include "metrics/metrics_endpoint.h"

#include "absl/strings/str_cat.h"

namespace radlabel {
namespace {

ModelBundle Bundle() {
  ModelBundle bundle;
  bundle.config.set_name("test-model");
  bundle.config.set_version("1.2.3");
  bundle.checksum = "abc";
  return bundle;
}

bool Has(const std::string& scrape, const std::string& line) {
  return scrape.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, RequestsReportsAndRejectionsAreCountedByLabel) {
  Metrics metrics(Bundle());
  const absl::Time t = absl::FromUnixSeconds(1'000'000);
  metrics.RecordRequest(Rpc::kLabel, absl::StatusCode::kOk,
                        {absl::StatusCode::kOk, absl::StatusCode::kOk,
                         absl::StatusCode::kInvalidArgument},
                        t, t + absl::Milliseconds(30));
  metrics.RecordRequest(Rpc::kLabelStream, absl::StatusCode::kResourceExhausted, {}, t, t);
  const std::string scrape = metrics.Scrape(t + absl::Seconds(1));
  EXPECT_TRUE(Has(scrape, R"(radlabel_requests_total{code="OK",rpc="Label"} 1)")) << scrape;
  EXPECT_TRUE(Has(scrape, R"(radlabel_reports_total{code="OK",rpc="Label"} 2)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_reports_total{code="INVALID_ARGUMENT",rpc="Label"} 1)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_requests_total{code="RESOURCE_EXHAUSTED",rpc="LabelStream"} 1)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_rejections_total{reason="queue_full"} 1)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_request_duration_seconds_bucket{rpc="Label",le="0.05"} 1)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_request_duration_seconds_bucket{rpc="Label",le="0.025"} 0)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_model_info{checksum="abc",name="test-model",version="1.2.3"} 1)"));
}

TEST(MetricsTest, TheUsualSeriesExistAtZeroBeforeAnyTraffic) {
  Metrics metrics(Bundle());
  const std::string scrape = metrics.Scrape(absl::FromUnixSeconds(1'000'000));
  for (const char* rpc : {"Label", "LabelStream", "HttpLabel"}) {
    EXPECT_TRUE(Has(scrape, absl::StrCat(R"(radlabel_reports_total{code="OK",rpc=")", rpc, R"("} 0)")))
        << scrape;
  }
  EXPECT_TRUE(Has(scrape, R"(radlabel_requests_total{code="OK",rpc="GetModelInfo"} 0)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_rejections_total{reason="queue_full"} 0)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_windows_dropped_total{reason="deadline"} 0)"));
  EXPECT_TRUE(Has(scrape, R"(radlabel_windows_dropped_total{reason="cancelled"} 0)"));
}

// A start-up that fails after the endpoint started destroys it at once; that must not hang.
TEST(MetricsEndpointTest, AnEndpointStoppedRightAfterItStartedShutsDown) {
  Metrics metrics(Bundle());
  for (int i = 0; i < 200; ++i) {
    auto endpoint = StartMetricsEndpoint("127.0.0.1:0", TransportSecurityOptions(), metrics);
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  }
}

TEST(MetricsTest, BatchesFeedSizeTokensPaddingQueueWaitAndDrops) {
  Metrics metrics(Bundle());
  const std::vector<absl::Duration> waits = {absl::Milliseconds(1), absl::Milliseconds(3)};
  BatchStats stats;
  stats.rows = 2;
  stats.seq_len = 100;
  stats.real_tokens = 150;  // 50 of 200 padded tokens are padding
  stats.inference = absl::Milliseconds(20);
  stats.queue_waits = waits;
  metrics.OnBatch(stats);
  metrics.OnQueueDepth(7);
  metrics.OnDropped(DropReason::kDeadline, 3);
  metrics.OnDropped(DropReason::kCancelled, 1);
  const std::string scrape = metrics.Scrape(absl::Now());
  EXPECT_TRUE(Has(scrape, R"(radlabel_windows_dropped_total{reason="deadline"} 3)")) << scrape;
  EXPECT_TRUE(Has(scrape, R"(radlabel_windows_dropped_total{reason="cancelled"} 1)"));
  EXPECT_TRUE(Has(scrape, "radlabel_batch_size_windows_sum 2")) << scrape;
  EXPECT_TRUE(Has(scrape, "radlabel_batch_tokens_sum 200"));
  EXPECT_TRUE(Has(scrape, "radlabel_batch_padding_ratio_sum 0.25"));
  EXPECT_TRUE(Has(scrape, "radlabel_queue_wait_seconds_count 2"));
  EXPECT_TRUE(Has(scrape, "radlabel_inference_duration_seconds_count 1"));
  EXPECT_TRUE(Has(scrape, "radlabel_queue_windows 7"));
  EXPECT_TRUE(Has(scrape, "radlabel_model_failures_total 0"));
}

TEST(MetricsTest, ThroughputAndProjectionFollowCompletedReports) {
  Metrics metrics(Bundle());
  const absl::Time t = absl::FromUnixSeconds(2'000'000);
  EXPECT_TRUE(Has(metrics.Scrape(t), "radlabel_projected_seconds_per_100k_reports +Inf"));
  std::vector<absl::StatusCode> codes(6000, absl::StatusCode::kOk);
  metrics.RecordRequest(Rpc::kLabel, absl::StatusCode::kOk, codes, t, t);
  const std::string scrape = metrics.Scrape(t + absl::Seconds(1));
  EXPECT_TRUE(Has(scrape, "radlabel_throughput_reports_per_second 100")) << scrape;
  EXPECT_TRUE(Has(scrape, "radlabel_projected_seconds_per_100k_reports 1000"));
  EXPECT_TRUE(Has(scrape, "radlabel_target_throughput_reports_per_second 55.55555555555556"));
}

}  // namespace
}  // namespace radlabel
