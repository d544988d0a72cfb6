// The radlabel CLI against a real server: a CSV export with quoted line breaks in, CSV and
// JSONL out, one row per input report, bad reports reported without failing the job.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>

#include "absl/time/clock.h"
#include "cli/csv.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
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
    ASSERT_EQ(run.exit_code, 3) << run.output;  // some reports failed
    EXPECT_NE(run.output.find("labelled 3 reports (1 failed)"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("1 report failed: INVALID_ARGUMENT 1 (A3); write them all with "
                              "--errors FILE"),
              std::string::npos)
        << run.output;
    // Three reports measure start-up, not a rate: no projection to 100,000.
    EXPECT_EQ(run.output.find("100,000"), std::string::npos) << run.output;
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
  ASSERT_EQ(with_evidence.exit_code, 3) << with_evidence.output;
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

// Reports are patient data: a job with good and bad reports (too long, invalid UTF-8), with
// evidence on, and one refused for a repeated id, must leave no report text in what the server
// or the CLI print.
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
      << "P4,\"" << marker << " again. Meningioma.\"\n"
      << "P3,\"" << marker << " \xff\xfe broken bytes.\"\n";
  const ProcessResult run =
      RunProcess({kCliBinary, "label", (dir / "in.csv").string(), "-o", (dir / "out.jsonl").string(),
                  "--target=" + (*server)->target(), "--evidence", "--progress=true"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("labelled 4 reports (2 failed)"), std::string::npos) << run.output;
  std::ofstream(dir / "repeated.csv") << "id,text\nP1,\"" << marker << ".\"\nP1,\"" << marker << "!\"\n";
  const ProcessResult repeated =
      RunProcess({kCliBinary, "label", (dir / "repeated.csv").string(), "-o",
                  (dir / "repeated.jsonl").string(), "--target=" + (*server)->target()});
  EXPECT_NE(repeated.output.find("1 ids on more than one report (P1)"), std::string::npos) << repeated.output;
  EXPECT_EQ((*server)->Stop(SIGTERM), 0);
  EXPECT_EQ(run.output.find("Zebedee"), std::string::npos) << run.output;
  EXPECT_EQ(repeated.output.find("Zebedee"), std::string::npos) << repeated.output;
  EXPECT_EQ((*server)->output().find("Zebedee"), std::string::npos) << (*server)->output();
  fs::remove_all(dir);
}

// id -> its JSONL result with "labels" reduced to each label's decision, for every line of a
// radlabel label output; counts each id's lines in *lines_per_id.
std::map<std::string, std::string> DecisionsById(const fs::path& path,
                                                 std::map<std::string, int>* lines_per_id) {
  std::map<std::string, std::string> decisions;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    google::protobuf::Struct result;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &result).ok()) << line;
    const std::string id = result.fields().at("id").string_value();
    ++(*lines_per_id)[id];
    std::map<std::string, std::string> by_label;  // protobuf maps have no stable order
    for (const auto& [name, label] : result.fields().at("labels").struct_value().fields()) {
      by_label[name] = label.struct_value().fields().at("decision").string_value();
    }
    std::string summary = result.fields().at("status").string_value();
    for (const auto& [name, decision] : by_label) summary += " " + name + "=" + decision;
    decisions[id] = summary;
  }
  return decisions;
}

int CountLines(const fs::path& path) {
  std::ifstream in(path);
  return static_cast<int>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// kill -9 of the server halfway through a 5,000-report job; a new server; `radlabel label
// --resume`: the output holds every input id exactly once, with the labels of an uninterrupted
// run.
TEST(CliTest, AJobCutByAServerCrashResumesToEveryIdOnceWithTheSameLabels) {
  const fs::path dir = fs::temp_directory_path() / ("radlabel_resume_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::vector<std::string> sentences = {
      "Acute infarct in the left MCA territory.", "No acute infarct.", "Small meningioma.",
      "Generalised atrophy.", "Possible demyelination.", "Normal MRI brain.",
      "Periventricular white matter hyperintensities, Fazekas 2.", "Old infarct with gliosis."};
  constexpr int kReports = 5000;
  {
    std::ofstream csv(dir / "in.csv");
    csv << "id,text\n";
    for (int i = 0; i < kReports; ++i) {
      csv << "R" << i << ",\"FINDINGS: " << sentences[i % sentences.size()] << " "
          << sentences[(i / sentences.size()) % sentences.size()] << "\"\n";
    }
  }
  auto label = [&](const std::string& target, const std::string& output, bool resume) {
    std::vector<std::string> argv = {kCliBinary, "label", (dir / "in.csv").string(), "-o",
                                     (dir / output).string(), "--target=" + target,
                                     "--progress=false"};
    if (resume) argv.push_back("--resume");
    return RunProcess(argv);
  };

  auto first = ServerProcess::Start({});
  ASSERT_TRUE(first.ok()) << first.status();
  const ProcessResult full = label((*first)->target(), "full.jsonl", false);
  ASSERT_EQ(full.exit_code, 0) << full.output;

  ProcessResult cut;
  std::thread job([&] { cut = label((*first)->target(), "cut.jsonl", false); });
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  while (CountLines(dir / "cut.jsonl") < kReports / 2 && absl::Now() < give_up) {
  }
  EXPECT_EQ((*first)->Stop(SIGKILL), 128 + SIGKILL);
  job.join();
  EXPECT_NE(cut.exit_code, 0) << "the job should fail when its server dies";
  const int written = CountLines(dir / "cut.jsonl");
  EXPECT_GE(written, kReports / 2);
  EXPECT_LT(written, kReports) << "the server died too late to cut the job";

  auto second = ServerProcess::Start({});
  ASSERT_TRUE(second.ok()) << second.status();
  const ProcessResult resumed = label((*second)->target(), "cut.jsonl", true);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming:"), std::string::npos) << resumed.output;

  std::map<std::string, int> full_lines, resumed_lines;
  const auto expected = DecisionsById(dir / "full.jsonl", &full_lines);
  const auto actual = DecisionsById(dir / "cut.jsonl", &resumed_lines);
  ASSERT_EQ(expected.size(), static_cast<size_t>(kReports));
  ASSERT_EQ(actual.size(), static_cast<size_t>(kReports));
  for (const auto& [id, count] : resumed_lines) EXPECT_EQ(count, 1) << id << " written " << count << " times";
  EXPECT_EQ(actual, expected);
  fs::remove_all(dir);
}

// --resume trusts nothing but what it can check: repeated ids are refused up front and named,
// -o naming the input is refused, another job's output is refused and left alone, and a report
// whose text changed under the same id is labelled again.
TEST(CliTest, AResumeCannotBeFooledByIdsAlone) {
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  const fs::path dir = fs::temp_directory_path() / ("radlabel_fool_" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto label = [&](const std::string& input, const std::string& output, bool resume) {
    std::vector<std::string> argv = {kCliBinary, "label", (dir / input).string(), "-o",
                                     (dir / output).string(), "--target=" + (*server)->target(),
                                     "--progress=false"};
    if (resume) argv.push_back("--resume");
    return RunProcess(argv);
  };
  std::ofstream(dir / "in.csv") << "id,text\nA,Normal MRI brain.\nB,Normal MRI brain.\nC,Small meningioma.\n";
  ASSERT_EQ(label("in.csv", "out.jsonl", false).exit_code, 0);
  const std::string labelled = ReadFile(dir / "out.jsonl");

  std::ofstream(dir / "repeated.csv") << "id,text\nA,x\nB,y\nA,z\nB,w\nC,v\n";
  const ProcessResult repeated = label("repeated.csv", "repeated.jsonl", false);
  EXPECT_NE(repeated.exit_code, 0);
  EXPECT_NE(repeated.output.find("2 ids on more than one report (A, B)"), std::string::npos)
      << repeated.output;
  EXPECT_FALSE(fs::exists(dir / "repeated.jsonl"));

  const std::string input = ReadFile(dir / "in.csv");
  const ProcessResult onto_input = label("in.csv", "in.csv", false);
  EXPECT_NE(onto_input.exit_code, 0);
  EXPECT_NE(onto_input.output.find("is the input file"), std::string::npos) << onto_input.output;
  EXPECT_EQ(ReadFile(dir / "in.csv"), input);

  std::ofstream(dir / "other.csv") << "id,text\nX,Normal MRI brain.\nA,Normal MRI brain.\n";
  const ProcessResult other = label("other.csv", "out.jsonl", true);
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.output.find("another job's output"), std::string::npos) << other.output;
  EXPECT_EQ(ReadFile(dir / "out.jsonl"), labelled);

  std::ofstream(dir / "in.csv") << "id,text\nA,Normal MRI brain.\nB,Acute infarct in the left MCA "
                                   "territory with restricted diffusion.\nC,Small meningioma.\n";
  const ProcessResult changed = label("in.csv", "out.jsonl", true);
  ASSERT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_NE(changed.output.find("resuming: 2 reports already labelled"), std::string::npos) << changed.output;
  EXPECT_NE(changed.output.find("1 whose text changed are labelled again"), std::string::npos)
      << changed.output;
  std::map<std::string, int> lines;
  const auto decisions = DecisionsById(dir / "out.jsonl", &lines);
  EXPECT_EQ(lines, (std::map<std::string, int>{{"A", 1}, {"B", 1}, {"C", 1}}));
  EXPECT_NE(decisions.at("B").find("acute_stroke=positive"), std::string::npos) << decisions.at("B");
  fs::remove_all(dir);
}

// JSONL on standard input, results on standard output: a malformed line fails alone, named by
// its line in the summary and in the --errors file, and the job labels the rest.
TEST(CliTest, ABadJsonlLineFailsAloneFromStdinToStdout) {
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  const fs::path dir = fs::temp_directory_path() / ("radlabel_stdin_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "in.jsonl") << "{\"id\": \"J1\", \"text\": \"Normal MRI brain.\"}\n"
                                  << "{\"id\": \"J2\", \"text\": Zebedee}\n"
                                  << "{\"id\": \"J3\", \"text\": \"Acute infarct.\"}\n"
                                  << "{\"id\": \"J1\", \"text\": \"Zebedee, a repeated id.\"}\n";
  const ProcessResult run = RunProcess(
      {"/bin/sh", "-c",
       std::string(kCliBinary) + " label - -o - --input_format=jsonl --output_format=jsonl "
           "--progress=false --target=" + (*server)->target() + " --errors=" +
           (dir / "errors.jsonl").string() + " < " + (dir / "in.jsonl").string()});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("{\"id\":\"J1\",\"status\":\"OK\""), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("{\"id\":\"J3\",\"status\":\"OK\""), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("labelled 2 reports (0 failed)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2 reports failed: INVALID_ARGUMENT 2 (line 2, line 4); all of them are in"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("Zebedee"), std::string::npos) << run.output;
  EXPECT_EQ(ReadFile(dir / "errors.jsonl"),
            "{\"line\":2,\"code\":\"INVALID_ARGUMENT\",\"message\":\"- line 2 is not a JSON "
            "object\"}\n"
            "{\"line\":4,\"code\":\"INVALID_ARGUMENT\",\"message\":\"id J1 was on an earlier "
            "report; make every id unique\"}\n");
  fs::remove_all(dir);
}

TEST(CliTest, HelpListsTheCliFlags) {
  const ProcessResult run = RunProcess({kCliBinary, "--help"});
  for (const char* flag : {"--errors", "--target", "--id_column", "--resume", "--evidence"}) {
    EXPECT_NE(run.output.find(flag), std::string::npos) << flag << "\n" << run.output;
  }
  EXPECT_EQ(run.output.find("No flags matched"), std::string::npos) << run.output;
}

TEST(CliTest, AnUnreachableServerIsReportedClearly) {
  const ProcessResult run = RunProcess(
      {kCliBinary, "info", "--target=127.0.0.1:1", "--connect_timeout=1s"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("cannot reach radlabel-server"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace radlabel::testing
