// radlabel: the command-line client of radlabel-server.
//
//   radlabel label INPUT -o OUTPUT [--target=host:port] [--id_column=id] [--text_column=text]
//   radlabel info [--target=host:port]
#include <cstring>
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "cli/progress.h"
#include "cli/report_reader.h"
#include "cli/result_writer.h"
#include "radlabel/client.h"

ABSL_FLAG(std::string, target, "localhost:50051",
          "radlabel-server address: host:port, or a gRPC target such as dns:///host:port.");
ABSL_FLAG(absl::Duration, connect_timeout, radlabel::ClientOptions().connect_timeout,
          "How long to wait for the server to accept a connection, e.g. 10s.");
ABSL_FLAG(std::string, output, "", "Output file (also -o); '-' for standard output.");
ABSL_FLAG(std::string, input_format, "auto", "csv, jsonl, or auto (by file extension).");
ABSL_FLAG(std::string, output_format, "auto", "csv, jsonl, or auto (by file extension).");
ABSL_FLAG(std::string, id_column, "id", "CSV column (or JSONL key) holding the report id.");
ABSL_FLAG(std::string, text_column, "text", "CSV column (or JSONL key) holding the report text.");
ABSL_FLAG(int, reports_per_message, radlabel::StreamOptions().reports_per_message,
          "Reports per stream message.");
ABSL_FLAG(int, max_in_flight, radlabel::StreamOptions().max_reports_in_flight,
          "Most reports sent and not yet answered.");
ABSL_FLAG(bool, progress, true, "Print progress on stderr.");

namespace radlabel {
namespace {

absl::StatusOr<std::unique_ptr<Client>> ConnectFromFlags() {
  ClientOptions options;
  options.connect_timeout = absl::GetFlag(FLAGS_connect_timeout);
  return Client::Connect(absl::GetFlag(FLAGS_target), options);
}

absl::Status LabelFile(const std::string& input) {
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output.empty()) return absl::InvalidArgumentError("name the output file with -o OUTPUT");
  const ReportColumns columns{absl::GetFlag(FLAGS_id_column), absl::GetFlag(FLAGS_text_column)};
  auto input_format = ParseReportFormat(absl::GetFlag(FLAGS_input_format), input);
  if (!input_format.ok()) return input_format.status();
  auto output_format = ParseReportFormat(absl::GetFlag(FLAGS_output_format), output);
  if (!output_format.ok()) return output_format.status();
  auto total = CountReports(input, *input_format, columns);
  if (!total.ok()) return total.status();
  auto reader = OpenReportReader(input, *input_format, columns);
  if (!reader.ok()) return reader.status();

  auto client = ConnectFromFlags();
  if (!client.ok()) return client.status();
  auto info = (*client)->GetModelInfo();
  if (!info.ok()) return info.status();
  auto writer = OpenResultWriter(output, *output_format, *info);
  if (!writer.ok()) return writer.status();

  const bool show_progress = absl::GetFlag(FLAGS_progress);
  const absl::Time start = absl::Now();
  Progress progress(*total, start);
  int64_t done = 0, failed = 0;
  StreamOptions stream_options;
  stream_options.reports_per_message = absl::GetFlag(FLAGS_reports_per_message);
  stream_options.max_reports_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  absl::Status streamed = (*client)->LabelStream(
      [&] { return (*reader)->Next(); },
      [&](v1::ReportResult result) {
        ++done;
        if (result.status().code() != 0) {
          ++failed;
          std::cerr << "radlabel: report '" << result.id() << "' failed: "
                    << result.status().message() << "\n";
        }
        if (show_progress) progress.Update(done, absl::Now());
        return (*writer)->Write(result);
      },
      stream_options);
  const absl::Status closed = (*writer)->Close();
  if (!streamed.ok()) return streamed;
  if (!closed.ok()) return closed;
  std::cerr << progress.Summary(done, failed, absl::Now());
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
  absl::SetProgramUsageMessage(
      "Labels head-MRI reports with a radlabel-server.\n"
      "  radlabel label INPUT -o OUTPUT [flags]   label a CSV or JSONL file, write CSV or JSONL\n"
      "  radlabel info [flags]                    describe the served model");
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
    status = radlabel::LabelFile(positional[2]);
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
