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

// The header's number of columns; 0 unless its last is source_sha256, as radlabel writes it.
size_t HeaderColumns(absl::string_view header) {
  std::istringstream in{std::string(header)};
  CsvReader reader(in);
  std::vector<std::string> fields;
  auto read = reader.Next(&fields);
  if (!read.ok() || !*read || fields.empty() || fields.back() != "source_sha256") return 0;
  return fields.size();
}

// One record's id, status and source; nullopt when it cannot be read (for CSV: its fields are
// not the header's `columns`, as when a run with --evidence is resumed without; the source is
// the last).
std::optional<ResultRecord> ReadRecord(absl::string_view record, bool csv, size_t columns) {
  if (csv) {
    std::istringstream in{std::string(record)};
    CsvReader reader(in);
    std::vector<std::string> fields;
    auto read = reader.Next(&fields);
    if (!read.ok() || !*read || fields.size() != columns || columns < 3) return std::nullopt;
    return ResultRecord{fields[0], fields[1], fields.back()};
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
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return kept;
  auto read = ReadFileContents(path, "the output to resume");
  if (!read.ok()) return read.status();
  const std::string contents = *std::move(read);
  const bool csv = format == ReportFormat::kCsv;
  if (contents.empty()) return kept;
  std::vector<absl::string_view> records = CompleteRecords(contents, csv);
  if (records.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " holds no complete radlabel record; resume only into radlabel's own output, or "
        "write to a new file"));
  }

  std::string rewritten;
  size_t first = 0;
  size_t columns = 0;
  if (csv) {
    absl::StrAppend(&rewritten, records[0]);  // the header
    columns = HeaderColumns(records[0]);
    if (columns == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " has no source_sha256 as its last column, so nothing shows what its rows were "
          "labelled from (another tool's output, or an older radlabel's); write to a new file"));
    }
    first = 1;
  }
  std::vector<std::string> foreign;  // ids of results the input does not hold
  for (size_t r = first; r < records.size(); ++r) {
    const std::optional<ResultRecord> record = ReadRecord(records[r], csv, columns);
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
    if (!IsFinal(record->status)) continue;
    if (source->second != record->source_sha256) {
      kept.changed += !kept.ids.contains(record->id);
      continue;
    }
    if (!kept.ids.insert(record->id).second) continue;
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
