// /metrics of a real server: valid for promtool, and counters and histograms move by exactly
// what a known workload implies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "integration/metrics_scrape.h"
#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ServerProcess::Start({});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_FALSE(server_->metrics_address().empty()) << server_->output();
    auto client = Client::Connect(server_->target());
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }
  std::string Scrape() { return ScrapeMetrics(*server_); }
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Client> client_;
};

v1::Report Report(const std::string& id, const std::string& text) {
  v1::Report report;
  report.set_id(id);
  report.set_text(text);
  return report;
}

TEST_F(MetricsTest, ALiveScrapePassesPromtool) {
  ASSERT_TRUE(client_->Label({Report("r1", "FINDINGS: Acute infarct.")}).ok());
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("radlabel_metrics_" + std::to_string(getpid()) + ".txt")).string();
  std::ofstream(path) << Scrape();
  const ProcessResult check = RunProcess({"/bin/sh", "-c", "promtool check metrics < " + path});
  std::filesystem::remove(path);
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

// The process's own health, in Prometheus' standard names, agrees with what Linux says of the
// server's process; the build is named.
TEST_F(MetricsTest, ProcessMetricsDescribeTheServersProcess) {
  const absl::Time started = absl::Now();
  const auto series = ParseExposition(Scrape());
  const std::string proc = "/proc/" + std::to_string(server_->pid());
  int fds = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(proc + "/fd")) ++fds;
  std::ifstream status(proc + "/status");
  double resident_kib = 0;
  for (std::string key; status >> key;) {
    if (key == "VmRSS:") status >> resident_kib;
  }
  EXPECT_NEAR(SeriesValue(series, "process_resident_memory_bytes"), resident_kib * 1024,
              64.0 * 1024 * 1024);  // the process allocates between the two readings
  EXPECT_GT(SeriesValue(series, "process_resident_memory_bytes"), 10e6);
  EXPECT_NEAR(SeriesValue(series, "process_open_fds"), fds, 4);
  EXPECT_GT(SeriesValue(series, "process_max_fds"), fds);
  EXPECT_GT(SeriesValue(series, "process_cpu_seconds_total"), 0);
  const double start = SeriesValue(series, "process_start_time_seconds");
  EXPECT_LE(start, absl::ToUnixSeconds(started) + 1);
  EXPECT_GT(start, absl::ToUnixSeconds(started) - 600) << "the server started in this test";
  int builds = 0;
  for (const auto& [key, value] : series) {
    if (key.rfind(R"(radlabel_build_info{version=")", 0) == 0 && value == 1) ++builds;
  }
  EXPECT_EQ(builds, 1);
}

TEST_F(MetricsTest, CountersAndHistogramsMoveByTheWorkload) {
  const auto before = ParseExposition(Scrape());

  // One unary call: 4 good reports, one empty.
  std::string long_text = "FINDINGS:";
  for (int i = 0; i < 60; ++i) long_text += " The ventricles are normal in size.";
  auto unary = client_->Label({Report("a", "Normal MRI brain."), Report("b", long_text),
                               Report("empty", ""), Report("c", "Acute infarct."),
                               Report("d", "Meningioma.")});
  ASSERT_TRUE(unary.ok()) << unary.status();
  // One refused call.
  EXPECT_FALSE(client_->Label({}).ok());
  // A stream of 10 reports in 2 messages.
  int next = 0;
  std::vector<v1::ReportResult> streamed;
  StreamOptions options;
  options.reports_per_message = 5;
  ASSERT_TRUE(client_
                  ->LabelStream(
                      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
                        if (next == 10) return std::nullopt;
                        ++next;
                        return Report("s" + std::to_string(next), "Small vessel disease.");
                      },
                      [&](v1::ReportResult r) {
                        streamed.push_back(std::move(r));
                        return absl::OkStatus();
                      },
                      options)
                  .ok());

  int windows = 0;
  for (const auto& r : *unary) windows += r.num_chunks();
  for (const auto& r : streamed) windows += r.num_chunks();
  ASSERT_GT(windows, 10) << "the long report should need several windows";

  const auto after = ParseExposition(Scrape());
  auto delta = [&](const std::string& key) { return SeriesValue(after, key) - SeriesValue(before, key); };
  EXPECT_EQ(delta(R"(radlabel_requests_total{code="OK",rpc="Label"})"), 1);
  EXPECT_EQ(delta(R"(radlabel_reports_total{code="OK",rpc="Label"})"), 4);
  EXPECT_EQ(delta(R"(radlabel_reports_total{code="INVALID_ARGUMENT",rpc="Label"})"), 1);
  EXPECT_EQ(delta(R"(radlabel_requests_total{code="INVALID_ARGUMENT",rpc="Label"})"), 1);
  EXPECT_EQ(delta(R"(radlabel_rejections_total{reason="invalid_request"})"), 1);
  EXPECT_EQ(delta(R"(radlabel_requests_total{code="OK",rpc="LabelStream"})"), 2);
  EXPECT_EQ(delta(R"(radlabel_reports_total{code="OK",rpc="LabelStream"})"), 10);
  EXPECT_EQ(delta(R"(radlabel_request_duration_seconds_count{rpc="Label"})"), 2);
  EXPECT_EQ(delta("radlabel_queue_wait_seconds_count"), windows);
  EXPECT_EQ(delta("radlabel_batch_size_windows_sum"), windows);
  EXPECT_EQ(delta("radlabel_inference_duration_seconds_count"),
            delta("radlabel_batch_size_windows_count"));
  EXPECT_EQ(SeriesValue(after, "radlabel_queue_windows"), 0);
}

// A caller whose deadline passes while its reports wait behind a backlog gets
// DEADLINE_EXCEEDED, and its windows are dropped unrun: the model's window count is exactly the
// backlog's.
TEST(DeadlineTest, WorkWhoseDeadlinePassedInTheQueueNeverReachesTheModel) {
  auto server = ServerProcess::Start({"--model_workers=1", "--max_batch_size=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = Client::Connect((*server)->target());
  ASSERT_TRUE(client.ok()) << client.status();
  ClientOptions hurried_options;
  hurried_options.call_timeout = absl::Milliseconds(30);
  auto hurried = Client::Connect((*server)->target(), hurried_options);
  ASSERT_TRUE(hurried.ok()) << hurried.status();

  std::string text = "FINDINGS:";
  for (int i = 0; i < 25; ++i) text += " The ventricles and sulci are normal for age.";
  constexpr int kBacklog = 300;
  std::vector<v1::ReportResult> backlog_results;
  absl::Status backlog_status;
  std::thread backlog([&] {
    int next = 0;
    backlog_status = (*client)->LabelStream(
        [&]() -> absl::StatusOr<std::optional<v1::Report>> {
          if (next == kBacklog) return std::nullopt;
          return Report("b" + std::to_string(next++), text);
        },
        [&](v1::ReportResult r) {
          backlog_results.push_back(std::move(r));
          return absl::OkStatus();
        },
        StreamOptions{});
  });
  // Await a queue that takes far longer than 30 ms to drain through one worker, batches of one.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (SeriesValue(ParseExposition(ScrapeMetrics(**server)), "radlabel_queue_windows") < 50 &&
         absl::Now() < give_up) {
  }
  auto late = (*hurried)->Label({Report("late1", "Acute infarct."), Report("late2", "Meningioma."),
                                 Report("late3", "Normal study.")});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();
  backlog.join();
  ASSERT_TRUE(backlog_status.ok()) << backlog_status;
  ASSERT_EQ(backlog_results.size(), static_cast<size_t>(kBacklog));
  int backlog_windows = 0;
  for (const v1::ReportResult& r : backlog_results) backlog_windows += r.num_chunks();

  const auto series = ParseExposition(ScrapeMetrics(**server));
  EXPECT_EQ(SeriesValue(series, R"(radlabel_windows_dropped_total{reason="deadline"})") +
                SeriesValue(series, R"(radlabel_windows_dropped_total{reason="cancelled"})"),
            3);
  EXPECT_EQ(SeriesValue(series, "radlabel_batch_size_windows_sum"), backlog_windows)
      << "the late call's windows reached the model";
  EXPECT_EQ(SeriesValue(series, "radlabel_queue_windows"), 0);
  // Counted under the code the caller saw, so that the error-ratio alert sees it.
  EXPECT_EQ(SeriesValue(series, R"(radlabel_requests_total{code="DEADLINE_EXCEEDED",rpc="Label"})"),
            1);
  EXPECT_EQ(SeriesValue(series, R"(radlabel_requests_total{code="OK",rpc="Label"})"), 0);
}

}  // namespace
}  // namespace radlabel::testing
