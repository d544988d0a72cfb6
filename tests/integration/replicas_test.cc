// Scale-out: three replicas behind one gRPC target. One client spreads its calls over all of them
// (round_robin), and a replica killed mid-job costs no report: its calls are retried on the others.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/csv.h"
#include "integration/metrics_scrape.h"
#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kReports = 3000;
constexpr int kReplicas = 3;

// Short reports, so that 3,000 of them stay cheap for three servers on a small CI machine.
std::string ReportText(int i) {
  static const char* const kTexts[] = {
      "Normal MRI brain.", "Acute infarct in the left MCA territory.",
      "Extensive periventricular white matter hyperintensities.", "Right frontal meningioma.",
      "Generalised cerebral atrophy.", "No acute intracranial abnormality."};
  return kTexts[i % 6];
}

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> addresses;
    for (int i = 0; i < kReplicas; ++i) {
      auto server = ServerProcess::Start({});
      ASSERT_TRUE(server.ok()) << server.status();
      addresses.push_back((*server)->target());
      servers_.push_back(std::move(*server));
    }
    // gRPC's static address list; a headless Kubernetes Service gives the same via dns:///.
    target_ = "ipv4:" + absl::StrJoin(addresses, ",");
  }

  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::string target_;
};

TEST_F(ReplicasTest, TheCliSpreadsOneJobOverEveryReplica) {
  const fs::path dir = fs::temp_directory_path() / ("radlabel_replicas_" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    std::ofstream in(dir / "in.csv");
    in << "id,text\n";
    for (int i = 0; i < kReports; ++i) in << "r" << i << "," << ReportText(i) << "\n";
  }
  const ProcessResult run =
      RunProcess({kCliBinary, "label", (dir / "in.csv").string(), "-o", (dir / "out.csv").string(),
                  "--target=" + target_, "--rpc=unary", "--reports_per_message=10",
                  "--progress=false"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream out(dir / "out.csv");
  CsvReader csv(out);
  std::vector<std::string> row;
  int rows = 0;
  while (*csv.Next(&row)) {
    if (rows > 0) {
      EXPECT_EQ(row[0], absl::StrCat("r", rows - 1));
    }
    ++rows;
  }
  EXPECT_EQ(rows, kReports + 1);
  for (auto& server : servers_) {
    const double answered =
        MetricSum(ParseExposition(ScrapeMetrics(*server)), "radlabel_reports_total");
    EXPECT_GE(answered, 0.2 * kReports) << server->target() << " took too small a share";
  }
  fs::remove_all(dir);
}

TEST_F(ReplicasTest, AReplicaKilledMidJobLosesNoReport) {
  auto client = Client::Connect(target_);
  ASSERT_TRUE(client.ok()) << client.status();
  int next = 0;
  std::vector<std::string> ids;
  StreamOptions options;
  options.reports_per_message = 10;
  options.max_reports_in_flight = 200;
  const absl::Status labelled = (*client)->LabelPipelined(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        if (next == kReports) return std::nullopt;
        v1::Report report;
        report.set_id(absl::StrCat("r", next));
        report.set_text(ReportText(next++));
        return report;
      },
      [&](v1::ReportResult result) {
        EXPECT_EQ(result.status().code(), 0) << result.id() << ": " << result.status().message();
        ids.push_back(result.id());
        // A third of the way through, with calls in flight on every replica, one dies.
        if (ids.size() == kReports / 3) servers_[1]->Stop(SIGKILL);
        return absl::OkStatus();
      },
      options);
  ASSERT_TRUE(labelled.ok()) << labelled;
  ASSERT_EQ(ids.size(), static_cast<size_t>(kReports));
  absl::flat_hash_set<std::string> seen(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), ids.size()) << "a report came back twice";
  for (int i = 0; i < kReports; ++i) EXPECT_EQ(ids[i], absl::StrCat("r", i));
}

TEST_F(ReplicasTest, AnErrorOfTheSourceOrTheSinkEndsAJobWithThatError) {
  auto client = Client::Connect(target_);
  ASSERT_TRUE(client.ok()) << client.status();
  StreamOptions options;
  options.reports_per_message = 10;
  options.max_reports_in_flight = 200;
  int next = 0;
  int received = 0;
  const auto source = [&]() -> absl::StatusOr<std::optional<v1::Report>> {
    // The bound holds for reports not yet given to the sink, however the calls overtake each
    // other: answers held behind a slow call count (this also orders the two errors below).
    EXPECT_LE(next - received, options.max_reports_in_flight);
    if (next == 500) return absl::DataLossError("the export is truncated");
    v1::Report report;
    report.set_id(absl::StrCat("r", next));
    report.set_text(ReportText(next++));
    return report;
  };
  const absl::Status source_failed = (*client)->LabelPipelined(
      source, [&](v1::ReportResult) { ++received; return absl::OkStatus(); }, options);
  EXPECT_EQ(source_failed.code(), absl::StatusCode::kDataLoss) << source_failed;
  EXPECT_LT(received, 500);

  next = 0;
  received = 0;
  const absl::Status sink_failed = (*client)->LabelPipelined(
      source,
      [&](v1::ReportResult) {
        return ++received == 50 ? absl::AbortedError("the output disk is full") : absl::OkStatus();
      },
      options);
  EXPECT_EQ(sink_failed.code(), absl::StatusCode::kAborted) << sink_failed;
  EXPECT_EQ(received, 50);
}

}  // namespace
}  // namespace radlabel::testing
