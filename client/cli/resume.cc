#include "cli/resume.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/csv.h"
#include "common/file_contents.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace radlabel {
namespace {

bool IsFinal(absl::string_view status) {
  for (const char* retryable : {"UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED",
                                "CANCELLED", "ABORTED", "INTERNAL", "UNKNOWN"}) {
    if (status == retryable) return false;
  }
  return true;
}

// The complete records of `contents`: each ends with a line break outside quotes (CSV) or with
// a line break (JSONL). Whatever follows the last one was cut off.
std::vector<absl::string_view> CompleteRecords(absl::string_view contents, bool csv) {
  std::vector<absl::string_view> records;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < contents.size(); ++i) {
    if (csv && contents[i] == '"') quoted = !quoted;
    if (contents[i] == '\n' && !quoted) {
      records.push_back(contents.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  return records;
}

struct ResultRecord {
  std::string id, status, source_sha256;  // source_sha256 empty: the record has none
};

// The header's index of the source_sha256 column; -1 when it has none.
int SourceColumn(absl::string_view header) {
  std::istringstream in{std::string(header)};
  CsvReader reader(in);
  std::vector<std::string> fields;
  auto read = reader.Next(&fields);
  if (!read.ok() || !*read) return -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == "source_sha256") return static_cast<int>(i);
  }
  return -1;
}

// One record's id, status and source; nullopt when it cannot be read. `source_column`: CSV
// only, the source_sha256 column (-1: none).
std::optional<ResultRecord> ReadRecord(absl::string_view record, bool csv, int source_column) {
  if (csv) {
    std::istringstream in{std::string(record)};
    CsvReader reader(in);
    std::vector<std::string> fields;
    auto read = reader.Next(&fields);
    if (!read.ok() || !*read || fields.size() < 2) return std::nullopt;
    ResultRecord result{fields[0], fields[1], ""};
    if (source_column >= 0 && static_cast<size_t>(source_column) < fields.size()) {
      result.source_sha256 = fields[static_cast<size_t>(source_column)];
    }
    return result;
  }
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(std::string(record), &object).ok()) return std::nullopt;
  const auto& fields = object.fields();
  const auto id = fields.find("id");
  const auto status = fields.find("status");
  if (id == fields.end() || status == fields.end()) return std::nullopt;
  const auto source = fields.find("source_sha256");
  return ResultRecord{id->second.string_value(), status->second.string_value(),
                      source == fields.end() ? "" : source->second.string_value()};
}

}  // namespace

absl::StatusOr<FinishedResults> KeepFinishedResults(
    const std::string& path, ReportFormat format,
    const absl::flat_hash_map<std::string, std::string>& input_sources) {
  FinishedResults kept;
  if (!std::filesystem::exists(path)) return kept;
  auto read = ReadFileContents(path, "the output to resume");
  if (!read.ok()) return read.status();
  const std::string contents = *std::move(read);
  const bool csv = format == ReportFormat::kCsv;
  std::vector<absl::string_view> records = CompleteRecords(contents, csv);
  if (csv && records.empty()) {  // not even a header: start afresh
    std::filesystem::remove(path);
    return kept;
  }

  std::string rewritten;
  size_t first = 0;
  int source_column = -1;
  if (csv) {
    absl::StrAppend(&rewritten, records[0]);  // the header
    source_column = SourceColumn(records[0]);
    first = 1;
  }
  std::vector<std::string> foreign;  // ids of results the input does not hold
  for (size_t r = first; r < records.size(); ++r) {
    const std::optional<ResultRecord> record = ReadRecord(records[r], csv, source_column);
    if (!record.has_value()) {
      return absl::DataLossError(absl::StrCat(
          path, " record ", r + 1, " is not a radlabel result; resume only into radlabel's own "
          "output, or write to a new file"));
    }
    if (record->source_sha256.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " record ", r + 1, " has no source_sha256, so nothing shows what it was labelled "
          "from (another tool's output, or an older radlabel's); write to a new file"));
    }
    const auto source = input_sources.find(record->id);
    if (source == input_sources.end()) {
      foreign.push_back(record->id);
      continue;
    }
    if (source->second != record->source_sha256) {
      ++kept.changed;
      continue;
    }
    if (!IsFinal(record->status) || !kept.ids.insert(record->id).second) continue;
    absl::StrAppend(&rewritten, records[r]);
  }
  if (!foreign.empty()) {
    const size_t count = foreign.size();
    foreign.resize(std::min<size_t>(count, 3));
    return absl::FailedPreconditionError(absl::StrCat(
        path, " holds results for ", count, " reports the input does not hold (ids ",
        absl::StrJoin(foreign, ", "), count > 3 ? ", ..." : "", "): it is another job's output; "
        "resume with that job's input, or write to a new file"));
  }
  const std::string temporary = path + ".resume";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << rewritten;
    if (!out) return absl::DataLossError(absl::StrCat("cannot write ", temporary, " (disk full?)"));
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return absl::DataLossError(absl::StrCat("cannot replace ", path, ": ", error.message()));
  return kept;
}

}  // namespace radlabel
