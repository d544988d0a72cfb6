#include "cli/report_reader.h"

#include <cmath>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/csv.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace radlabel {
namespace {

// The input stream of `path`: the file, or standard input for "-".
class Input {
 public:
  explicit Input(const std::string& path) : path_(path) {
    if (path != "-") file_.open(path, std::ios::binary);
  }
  bool ok() const { return path_ == "-" || file_.is_open(); }
  std::istream& stream() { return path_ == "-" ? std::cin : file_; }

 private:
  const std::string path_;
  std::ifstream file_;
};

class CsvReportReader final : public ReportReader {
 public:
  static absl::StatusOr<std::unique_ptr<ReportReader>> Open(const std::string& path,
                                                            const ReportColumns& columns) {
    auto reader = std::unique_ptr<CsvReportReader>(new CsvReportReader(path));
    if (!reader->input_.ok()) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    std::vector<std::string> header;
    const absl::StatusOr<bool> got = reader->csv_.Next(&header);
    if (!got.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", got.status().message()));
    if (!*got) return absl::InvalidArgumentError(absl::StrCat(path, " is empty; expected a header row"));
    reader->id_column_ = Find(header, columns.id);
    reader->text_column_ = Find(header, columns.text);
    for (const auto& [column, name, flag] :
         {std::tuple{reader->id_column_, columns.id, "--id_column"},
          std::tuple{reader->text_column_, columns.text, "--text_column"}}) {
      if (column < 0) {
        return absl::InvalidArgumentError(absl::StrCat(path, " has no column '", name,
                                                       "' (columns: ", absl::StrJoin(header, ", "),
                                                       "); choose one with ", flag));
      }
    }
    return std::unique_ptr<ReportReader>(std::move(reader));
  }

  absl::StatusOr<std::optional<InputRecord>> Next() override {
    const absl::StatusOr<bool> got = csv_.Next(&fields_);
    if (!got.ok()) return absl::InvalidArgumentError(absl::StrCat(path_, ": ", got.status().message()));
    if (!*got) return std::nullopt;
    InputRecord record{csv_.record_line(), v1::Report()};
    const size_t needed = static_cast<size_t>(std::max(id_column_, text_column_)) + 1;
    if (fields_.size() < needed) {
      record.report = absl::InvalidArgumentError(absl::StrCat(
          path_, " line ", record.line, " has ", fields_.size(), " fields; the header has ",
          needed, " or more. Check for an unquoted comma or line break"));
      return record;
    }
    record.report->set_id(std::move(fields_[static_cast<size_t>(id_column_)]));
    record.report->set_text(std::move(fields_[static_cast<size_t>(text_column_)]));
    return record;
  }

 private:
  explicit CsvReportReader(const std::string& path)
      : path_(path), input_(path), csv_(input_.stream()) {}

  static int Find(const std::vector<std::string>& header, const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (absl::StripAsciiWhitespace(header[i]) == name) return static_cast<int>(i);
    }
    return -1;
  }

  const std::string path_;
  Input input_;
  CsvReader csv_;
  int id_column_ = -1;
  int text_column_ = -1;
  std::vector<std::string> fields_;
};

class JsonlReportReader final : public ReportReader {
 public:
  static absl::StatusOr<std::unique_ptr<ReportReader>> Open(const std::string& path,
                                                            const ReportColumns& columns) {
    auto reader = std::unique_ptr<JsonlReportReader>(new JsonlReportReader(path, columns));
    if (!reader->input_.ok()) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    return std::unique_ptr<ReportReader>(std::move(reader));
  }

  absl::StatusOr<std::optional<InputRecord>> Next() override {
    std::string line;
    while (std::getline(input_.stream(), line)) {
      ++line_;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      return InputRecord{line_, Parse(line)};
    }
    if (input_.stream().bad()) return absl::DataLossError(absl::StrCat("read error in ", path_));
    return std::nullopt;
  }

 private:
  JsonlReportReader(const std::string& path, const ReportColumns& columns)
      : path_(path), columns_(columns), input_(path) {}

  absl::StatusOr<v1::Report> Parse(const std::string& line) const {
    google::protobuf::Struct object;
    if (!google::protobuf::util::JsonStringToMessage(line, &object).ok()) {
      return Error("is not a JSON object");
    }
    const auto& fields = object.fields();
    const auto id = fields.find(columns_.id);
    const auto text = fields.find(columns_.text);
    if (id == fields.end() || text == fields.end()) {
      return Error(absl::StrCat("lacks \"", columns_.id, "\" or \"", columns_.text,
                                "\" (choose keys with --id_column and --text_column)"));
    }
    v1::Report report;
    if (id->second.has_string_value()) {
      report.set_id(id->second.string_value());
    } else if (id->second.has_number_value()) {
      // A whole number as its digits (StrCat of a double keeps 6 significant digits: 1234567
      // would become 1.23457e+06); any other number in full precision.
      const double number = id->second.number_value();
      report.set_id(std::abs(number) < 9.007199254740992e15 && number == std::trunc(number)
                        ? absl::StrCat(static_cast<int64_t>(number))
                        : absl::StrFormat("%.17g", number));
    } else {
      return Error(absl::StrCat("has an \"", columns_.id, "\" that is neither string nor number"));
    }
    if (!text->second.has_string_value()) {
      return Error(absl::StrCat("has a \"", columns_.text, "\" that is not a string"));
    }
    report.set_text(text->second.string_value());
    return report;
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(path_, " line ", line_, " ", what));
  }

  const std::string path_;
  const ReportColumns columns_;
  Input input_;
  int64_t line_ = 0;
};

}  // namespace

absl::StatusOr<ReportFormat> ParseReportFormat(const std::string& name, const std::string& path) {
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "jsonl") return ReportFormat::kJsonl;
  if (name != "auto") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown format '", name, "'; use csv, jsonl or auto"));
  }
  const std::string lower = absl::AsciiStrToLower(path);
  for (const char* ext : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWith(lower, ext)) return ReportFormat::kJsonl;
  }
  return ReportFormat::kCsv;
}

absl::StatusOr<std::unique_ptr<ReportReader>> OpenReportReader(const std::string& path,
                                                               ReportFormat format,
                                                               const ReportColumns& columns) {
  return format == ReportFormat::kCsv ? CsvReportReader::Open(path, columns)
                                      : JsonlReportReader::Open(path, columns);
}

absl::StatusOr<std::vector<v1::Report>> ReadCorpus(const std::string& path, ReportFormat format,
                                                   const ReportColumns& columns) {
  auto reader = OpenReportReader(path, format, columns);
  if (!reader.ok()) return reader.status();
  std::vector<v1::Report> corpus;
  while (true) {
    auto record = (*reader)->Next();
    if (!record.ok()) return record.status();
    if (!record->has_value()) return corpus;
    if (!(*record)->report.ok()) return (*record)->report.status();
    corpus.push_back(*std::move((*record)->report));
  }
}

}  // namespace radlabel
