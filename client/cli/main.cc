// radlabel: the command-line client of radlabel-server.
//
//   radlabel label INPUT -o OUTPUT [--target=host:port] [--id_column=id] [--text_column=text]
//                  [--rpc=stream|unary] [--resume] [--errors=FILE]     ('-': stdin, stdout)
//   radlabel info [--target=host:port]
//   radlabel bench CORPUS [--mode=closed|open] [--concurrency=N] [--stream] [--rate=R] ...
#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "cli/bench.h"
#include "cli/failure_summary.h"
#include "cli/progress.h"
#include "cli/input_scan.h"
#include "cli/report_reader.h"
#include "cli/result_writer.h"
#include "cli/resume.h"
#include "common/file_contents.h"
#include "common/status_macros.h"
#include "radlabel/client.h"

ABSL_FLAG(std::string, target, "localhost:50051",
          "radlabel-server address: host:port, or a gRPC target such as dns:///host:port.");
ABSL_FLAG(absl::Duration, connect_timeout, radlabel::ClientOptions().connect_timeout,
          "How long to wait for the server to accept a connection, e.g. 10s.");
ABSL_FLAG(int, max_attempts, radlabel::ClientOptions().max_attempts,
          "Attempts per call when the server answers UNAVAILABLE or RESOURCE_EXHAUSTED (1..5; 1: "
          "no retries); waits honour the server's pushback.");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA that signed the server's certificate: connect with TLS.");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate chain, for mutual TLS (with --tls_key).");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, auth_token_file, "",
          "File holding the bearer token the server asks for (sent with every call).");
ABSL_FLAG(std::string, output, "", "Output file (also -o); '-' for standard output.");
ABSL_FLAG(std::string, errors, "",
          "label: write every failed report (id or input line, code, message) to this file as "
          "JSON lines (appended to with --resume); the closing summary lists the first few per "
          "code.");
ABSL_FLAG(std::string, input_format, "auto", "csv, jsonl, or auto (by file extension).");
ABSL_FLAG(std::string, output_format, "auto", "csv, jsonl, or auto (by file extension).");
ABSL_FLAG(std::string, id_column, "id", "CSV column (or JSONL key) holding the report id.");
ABSL_FLAG(std::string, text_column, "text", "CSV column (or JSONL key) holding the report text.");
ABSL_FLAG(int, reports_per_message, radlabel::StreamOptions().reports_per_message,
          "Reports per stream message.");
ABSL_FLAG(int, max_in_flight, radlabel::StreamOptions().max_reports_in_flight,
          "Most reports sent and not yet answered.");
ABSL_FLAG(std::string, rpc, "stream",
          "label: 'stream' sends every report through one LabelStream (one connection, one "
          "server); 'unary' sends concurrent Label calls of --reports_per_message reports, spread "
          "over every server --target names and each retried on its own when a server fails.");
ABSL_FLAG(bool, progress, true, "Print progress on stderr.");
ABSL_FLAG(bool, resume, false,
          "label: continue an interrupted job. Keeps the output's complete, final results, sends "
          "only the reports not among them, and appends: every input id ends up in the output "
          "exactly once.");
ABSL_FLAG(bool, evidence, false,
          "label: also write each non-negative label's supporting sentence (the sentence its "
          "attention weighted most) to the output.");
ABSL_FLAG(std::string, mode, "closed",
          "bench: closed (callers wait for their answer) or open (Poisson arrivals at --rate).");
ABSL_FLAG(int, concurrency, 1, "bench, closed loop: concurrent unary callers or streams.");
ABSL_FLAG(bool, stream, false, "bench, closed loop: use LabelStream instead of unary calls.");
ABSL_FLAG(int, reports_per_request, 1, "bench: reports per unary call or per stream message.");
ABSL_FLAG(double, rate, 0, "bench, open loop: mean arrivals per second.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(20), "bench: how long to send, e.g. 30s.");
ABSL_FLAG(int64_t, max_reports, 0, "bench: stop after this many reports (0: no limit).");
ABSL_FLAG(std::string, json_out, "", "bench: also write the result as JSON to this file.");

namespace radlabel {
namespace {

absl::StatusOr<std::unique_ptr<Client>> ConnectFromFlags() {
  ClientOptions options;
  options.connect_timeout = absl::GetFlag(FLAGS_connect_timeout);
  options.max_attempts = absl::GetFlag(FLAGS_max_attempts);
  options.include_evidence = absl::GetFlag(FLAGS_evidence);
  options.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  if (const std::string path = absl::GetFlag(FLAGS_auth_token_file); !path.empty()) {
    absl::StatusOr<std::string> token = ReadTokenFile(path, "--auth_token_file");
    if (!token.ok()) return token.status();
    options.auth_token = *std::move(token);
  }
  return Client::Connect(absl::GetFlag(FLAGS_target), options);
}

// Exit status of a job whose reports did not all get labels (they are in the output with their
// status, or, for unreadable input records, in the summary and the --errors file).
constexpr int kSomeReportsFailed = 3;

// Labels `input` into --output; the number of reports (and input records) that failed.
absl::StatusOr<int64_t> LabelFile(const std::string& input) {
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output.empty()) return absl::InvalidArgumentError("name the output file with -o OUTPUT");
  const ReportColumns columns{absl::GetFlag(FLAGS_id_column), absl::GetFlag(FLAGS_text_column)};
  auto input_format = ParseReportFormat(absl::GetFlag(FLAGS_input_format), input);
  if (!input_format.ok()) return input_format.status();
  auto output_format = ParseReportFormat(absl::GetFlag(FLAGS_output_format), output);
  if (!output_format.ok()) return output_format.status();
  std::error_code unknown;  // a path that cannot be examined counts as absent, not the same
  if (input != "-" && output != "-" && std::filesystem::exists(output, unknown) &&
      std::filesystem::equivalent(input, output, unknown)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "-o ", output, " is the input file: writing it would destroy the reports; write the "
        "results to another file"));
  }
  const bool resume = absl::GetFlag(FLAGS_resume);
  // A file is read through once before any report is sent: its length, its repeated ids and
  // what each report is (for --resume). Standard input is read once, as it comes.
  InputScan scan;
  if (input != "-") {
    auto scanned = ScanInput(input, *input_format, columns);
    if (!scanned.ok()) return scanned.status();
    scan = *std::move(scanned);
    if (!scan.repeated_ids.empty()) {
      const size_t count = scan.repeated_ids.size();
      scan.repeated_ids.resize(std::min<size_t>(count, 5));
      return absl::InvalidArgumentError(absl::StrCat(
          input, " holds ", count, " ids on more than one report (",
          absl::StrJoin(scan.repeated_ids, ", "), count > 5 ? ", ..." : "",
          "); results are matched to reports by id, so make every id unique"));
    }
  }
  auto reader = OpenReportReader(input, *input_format, columns);
  if (!reader.ok()) return reader.status();
  absl::flat_hash_set<std::string> finished;
  if (resume) {
    if (output == "-") return absl::InvalidArgumentError("--resume needs an output file, not '-'");
    if (input == "-") {
      return absl::InvalidArgumentError(
          "--resume needs the input file, not '-': it compares the output with the input");
    }
    auto kept = KeepFinishedResults(output, *output_format, scan.sources);
    if (!kept.ok()) return kept.status();
    finished = std::move(kept->ids);
    std::cerr << "radlabel: resuming: " << finished.size() << " reports already labelled in "
              << output;
    if (kept->changed > 0) std::cerr << "; " << kept->changed << " whose text changed are labelled again";
    std::cerr << "\n";
  }
  absl::flat_hash_set<std::string> seen_ids;  // standard input: repeated ids fail alone
  const bool append = resume && std::filesystem::exists(output, unknown);
  auto failures = FailureSummary::Open(absl::GetFlag(FLAGS_errors), resume);
  if (!failures.ok()) return failures.status();

  auto client = ConnectFromFlags();
  if (!client.ok()) return client.status();
  auto info = (*client)->GetModelInfo();
  if (!info.ok()) return info.status();
  const bool evidence = absl::GetFlag(FLAGS_evidence);
  if (evidence && !info->supports_evidence()) {
    return absl::FailedPreconditionError(
        "the served model cannot return evidence (ModelInfo.supports_evidence is false); run "
        "without --evidence");
  }
  auto writer = OpenResultWriter(output, *output_format, *info, evidence, append);
  if (!writer.ok()) return writer.status();
  // The reports in flight, oldest first: each one's source fingerprint and, with evidence, its
  // text to quote sentences from.
  struct Sent {
    std::string source_sha256, text;
  };
  absl::Mutex sent_mu;
  std::deque<Sent> sent;

  const bool show_progress = absl::GetFlag(FLAGS_progress);
  const absl::Time start = absl::Now();
  Progress progress(input == "-" ? -1 : scan.reports - static_cast<int64_t>(finished.size()), start);
  int64_t done = 0, failed = 0;
  StreamOptions stream_options;
  stream_options.reports_per_message = absl::GetFlag(FLAGS_reports_per_message);
  stream_options.max_reports_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  const std::string rpc = absl::GetFlag(FLAGS_rpc);
  if (rpc != "stream" && rpc != "unary") return absl::InvalidArgumentError("--rpc is stream or unary");
  const auto label = rpc == "stream" ? &Client::LabelStream : &Client::LabelPipelined;
  absl::Status streamed = ((**client).*label)(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        while (true) {
          absl::StatusOr<std::optional<InputRecord>> record = (*reader)->Next();
          if (!record.ok()) return record.status();
          if (!record->has_value()) return std::nullopt;
          absl::StatusOr<v1::Report>& report = (*record)->report;
          if (!report.ok()) {  // this record fails alone; the job goes on
            RADLABEL_RETURN_IF_ERROR(
                (*failures)->AddRecord((*record)->line, report.status().message()));
            continue;
          }
          if (finished.contains(report->id())) continue;
          if (input == "-" && !seen_ids.insert(report->id()).second) {
            RADLABEL_RETURN_IF_ERROR((*failures)->AddRecord(
                (*record)->line, absl::StrCat("id ", report->id(), " was on an earlier report; "
                                              "make every id unique")));
            continue;
          }
          {
            absl::MutexLock lock(&sent_mu);
            // A file's fingerprints were taken by its scan; standard input's are taken here.
            const auto scanned = scan.sources.find(report->id());
            sent.push_back({scanned != scan.sources.end()
                                ? scanned->second
                                : SourceFingerprint(report->id(), report->text()),
                            evidence ? report->text() : std::string()});
          }
          return std::optional<v1::Report>(*std::move(report));
        }
      },
      [&](v1::ReportResult result) -> absl::Status {
        Sent report;
        {
          absl::MutexLock lock(&sent_mu);
          report = std::move(sent.front());
          sent.pop_front();
        }
        ++done;
        if (result.status().code() != 0) {
          ++failed;
          RADLABEL_RETURN_IF_ERROR((*failures)->AddReport(result.id(), result.status().code(),
                                                          result.status().message()));
        }
        if (show_progress) progress.Update(done, absl::Now());
        return (*writer)->Write(result, report.text, report.source_sha256);
      },
      stream_options);
  const absl::Status closed = (*writer)->Close();
  const absl::Status errors_closed = (*failures)->Close();
  if (!streamed.ok()) return streamed;
  if (!closed.ok()) return closed;
  if (!errors_closed.ok()) return errors_closed;
  std::cerr << progress.Summary(done, failed, absl::Now(),
                                absl::StrCat(info->name(), " ", info->version()))
            << (*failures)->Text();
  return (*failures)->count();
}

absl::Status Bench(const std::string& corpus_path) {
  const ReportColumns columns{absl::GetFlag(FLAGS_id_column), absl::GetFlag(FLAGS_text_column)};
  auto format = ParseReportFormat(absl::GetFlag(FLAGS_input_format), corpus_path);
  if (!format.ok()) return format.status();
  auto corpus = ReadCorpus(corpus_path, *format, columns);
  if (!corpus.ok()) return corpus.status();
  BenchOptions options;
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode != "closed" && mode != "open") {
    return absl::InvalidArgumentError("--mode is closed or open");
  }
  options.mode = mode == "open" ? BenchOptions::Mode::kOpen : BenchOptions::Mode::kClosed;
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.stream = absl::GetFlag(FLAGS_stream);
  options.reports_per_request = absl::GetFlag(FLAGS_reports_per_request);
  options.stream_max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.max_reports = absl::GetFlag(FLAGS_max_reports);
  auto client = ConnectFromFlags();
  if (!client.ok()) return client.status();
  auto result = RunBench(**client, *corpus, options);
  if (!result.ok()) return result.status();
  std::cout << result->Text();
  if (const std::string json_out = absl::GetFlag(FLAGS_json_out); !json_out.empty()) {
    std::ofstream out(json_out);
    out << result->Json() << "\n";
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", json_out));
  }
  return absl::OkStatus();
}

absl::Status PrintInfo() {
  auto client = ConnectFromFlags();
  if (!client.ok()) return client.status();
  auto info = (*client)->GetModelInfo();
  if (!info.ok()) return info.status();
  std::cout << info->DebugString();
  return absl::OkStatus();
}

}  // namespace
}  // namespace radlabel

int main(int argc, char** argv) {
  // --help lists the CLI's own flags (absl's default looks for a file named after the program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "client/cli/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.normalize_filename = [](absl::string_view file) {
    const size_t at = file.find("client/cli/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at));
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "Labels head-MRI reports with a radlabel-server.\n"
      "  radlabel label INPUT -o OUTPUT [flags]   label a CSV or JSONL file ('-': standard input),\n"
      "                                           write CSV or JSONL ('-': standard output); exit\n"
      "                                           status 3 when some reports failed\n"
      "  radlabel info [flags]                    describe the served model\n"
      "  radlabel bench CORPUS [flags]            load-test a server with the corpus's reports");
  // absl flags have no short aliases: accept the conventional -o.
  std::vector<char*> args(argv, argv + argc);
  static char output_flag[] = "--output";
  for (char*& arg : args) {
    if (std::strcmp(arg, "-o") == 0) arg = output_flag;
  }
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  absl::Status status;
  if (positional.size() == 3 && std::strcmp(positional[1], "label") == 0) {
    const absl::StatusOr<int64_t> failed = radlabel::LabelFile(positional[2]);
    if (failed.ok()) return *failed > 0 ? radlabel::kSomeReportsFailed : 0;
    status = failed.status();
  } else if (positional.size() == 3 && std::strcmp(positional[1], "bench") == 0) {
    status = radlabel::Bench(positional[2]);
  } else if (positional.size() == 2 && std::strcmp(positional[1], "info") == 0) {
    status = radlabel::PrintInfo();
  } else {
    std::cerr << absl::ProgramUsageMessage() << "\nSee --help for flags.\n";
    return 2;
  }
  if (!status.ok()) {
    std::cerr << "radlabel: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
