// The radlabel CLI against a real server: a CSV export with quoted line breaks in, CSV and
// JSONL out, one row per input report, bad reports reported without failing the job.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/csv.h"
#include "integration/server_process.h"

namespace radlabel::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST(CliTest, LabelsACsvExportToCsvAndJsonl) {
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  const fs::path dir = fs::temp_directory_path() / ("radlabel_cli_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "in.csv")
      << "accession,report\n"
         "A1,\"CLINICAL DETAILS: ?stroke\nFINDINGS: Acute infarct in the left MCA territory, "
         "with restricted diffusion.\nCONCLUSION: Acute infarct.\"\n"
         "A2,\"Normal MRI brain. No \"\"mass\"\".\"\n"
         "A3,\n";
  for (const char* output : {"out.csv", "out.jsonl"}) {
    const ProcessResult run =
        RunProcess({kCliBinary, "label", (dir / "in.csv").string(), "-o", (dir / output).string(),
                    "--target=" + (*server)->target(), "--id_column=accession",
                    "--text_column=report", "--progress=false"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("labelled 3 reports (1 failed)"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("100,000 reports would take"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("report 'A3' failed"), std::string::npos) << run.output;
  }

  std::istringstream csv_text(ReadFile(dir / "out.csv"));
  CsvReader csv(csv_text);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (*csv.Next(&fields)) rows.push_back(fields);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], "id");
  EXPECT_EQ(rows[0][5], "abnormal");
  EXPECT_EQ(rows[0][6], "abnormal_negative");
  EXPECT_EQ(rows[1][0], "A1");
  EXPECT_EQ(rows[1][1], "OK");
  // The CheXpert convention: 1 positive, 0 negative, -1 uncertain; then the probabilities.
  const size_t stroke = static_cast<size_t>(
      std::find(rows[0].begin(), rows[0].end(), "acute_stroke") - rows[0].begin());
  ASSERT_LT(stroke, rows[0].size());
  EXPECT_EQ(rows[1][stroke], "1");
  EXPECT_EQ(rows[2][stroke], "0");
  EXPECT_EQ(rows[3][0], "A3");
  EXPECT_EQ(rows[3][1], "INVALID_ARGUMENT");
  for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size());

  // With --evidence, each non-negative label quotes its supporting sentence.
  const ProcessResult with_evidence =
      RunProcess({kCliBinary, "label", (dir / "in.csv").string(), "-o", (dir / "evidence.csv").string(),
                  "--target=" + (*server)->target(), "--id_column=accession", "--text_column=report",
                  "--progress=false", "--evidence"});
  ASSERT_EQ(with_evidence.exit_code, 0) << with_evidence.output;
  std::istringstream evidence_text(ReadFile(dir / "evidence.csv"));
  CsvReader evidence_csv(evidence_text);
  std::vector<std::vector<std::string>> evidence_rows;
  while (*evidence_csv.Next(&fields)) evidence_rows.push_back(fields);
  ASSERT_EQ(evidence_rows.size(), 4u);
  const size_t stroke_evidence = static_cast<size_t>(
      std::find(evidence_rows[0].begin(), evidence_rows[0].end(), "acute_stroke_evidence") -
      evidence_rows[0].begin());
  ASSERT_LT(stroke_evidence, evidence_rows[0].size());
  EXPECT_NE(evidence_rows[1][stroke_evidence].find("cute infarct"), std::string::npos)
      << evidence_rows[1][stroke_evidence];
  EXPECT_EQ(evidence_rows[2][stroke_evidence], "");  // negative: no evidence
  for (const auto& row : evidence_rows) EXPECT_EQ(row.size(), evidence_rows[0].size());

  const std::string jsonl = ReadFile(dir / "out.jsonl");
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 3);
  EXPECT_NE(jsonl.find("{\"id\":\"A2\",\"status\":\"OK\""), std::string::npos) << jsonl;
  // Outputs carry labels, never the report text.
  EXPECT_EQ(jsonl.find("restricted diffusion"), std::string::npos);
  fs::remove_all(dir);
}

// The harness's bookkeeping, not its timings: every report sent is counted once, in every mode.
TEST(CliTest, BenchCountsEveryReportInEveryMode) {
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  const fs::path json = fs::temp_directory_path() / ("radlabel_bench_" + std::to_string(getpid()) + ".json");
  const std::vector<std::vector<std::string>> modes = {
      {"--concurrency=3", "--reports_per_request=4"},
      {"--stream", "--concurrency=2", "--reports_per_request=8", "--max_in_flight=32"},
      {"--mode=open", "--rate=200", "--reports_per_request=2"}};
  for (const auto& mode : modes) {
    std::vector<std::string> argv = {kCliBinary, "bench", kSourceDir + "/model/samples/head_mri_reports.csv",
                                     "--id_column=report_id", "--target=" + (*server)->target(),
                                     "--max_reports=60", "--duration=60s", "--json_out=" + json.string()};
    argv.insert(argv.end(), mode.begin(), mode.end());
    const ProcessResult run = RunProcess(argv);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("100,000 reports would take"), std::string::npos) << run.output;
    const std::string result = ReadFile(json);
    EXPECT_NE(result.find("\"reports_ok\":60,\"reports_failed\":0"), std::string::npos) << result;
    EXPECT_NE(result.find("\"errors_by_code\":{}"), std::string::npos) << result;
  }
  fs::remove(json);
}

// Reports are patient data: a job with good and bad reports (too long, repeated id, invalid
// UTF-8), with evidence on, must leave no report text in what the server or the CLI print.
TEST(CliTest, NoReportTextReachesTheLogs) {
  auto server = ServerProcess::Start({"--max_report_bytes=400"});
  ASSERT_TRUE(server.ok()) << server.status();
  const fs::path dir = fs::temp_directory_path() / ("radlabel_phi_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string marker = "Zebedee Quimby";  // stands for a patient's name
  std::string too_long = "FINDINGS: " + marker + ".";
  while (too_long.size() < 500) too_long += " The ventricles are normal.";
  std::ofstream(dir / "in.csv")
      << "id,text\n"
      << "P1,\"History: " << marker << ", 54. FINDINGS: Acute infarct in the left MCA territory.\"\n"
      << "P2,\"" << too_long << "\"\n"
      << "P1,\"" << marker << " again. Meningioma.\"\n"
      << "P3,\"" << marker << " \xff\xfe broken bytes.\"\n";
  const ProcessResult run =
      RunProcess({kCliBinary, "label", (dir / "in.csv").string(), "-o", (dir / "out.jsonl").string(),
                  "--target=" + (*server)->target(), "--evidence", "--progress=true"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("labelled 4 reports (3 failed)"), std::string::npos) << run.output;
  EXPECT_EQ((*server)->Stop(SIGTERM), 0);
  EXPECT_EQ(run.output.find("Zebedee"), std::string::npos) << run.output;
  EXPECT_EQ((*server)->output().find("Zebedee"), std::string::npos) << (*server)->output();
  fs::remove_all(dir);
}

TEST(CliTest, AnUnreachableServerIsReportedClearly) {
  const ProcessResult run = RunProcess(
      {kCliBinary, "info", "--target=127.0.0.1:1", "--connect_timeout=1s"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("cannot reach radlabel-server"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace radlabel::testing
