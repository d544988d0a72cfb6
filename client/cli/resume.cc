#include "cli/resume.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
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

// (id, status) of one record; nullopt when it cannot be read.
std::optional<std::pair<std::string, std::string>> IdAndStatus(absl::string_view record, bool csv) {
  if (csv) {
    std::istringstream in{std::string(record)};
    CsvReader reader(in);
    std::vector<std::string> fields;
    auto read = reader.Next(&fields);
    if (!read.ok() || !*read || fields.size() < 2) return std::nullopt;
    return std::make_pair(fields[0], fields[1]);
  }
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(std::string(record), &object).ok()) return std::nullopt;
  const auto& fields = object.fields();
  const auto id = fields.find("id");
  const auto status = fields.find("status");
  if (id == fields.end() || status == fields.end()) return std::nullopt;
  return std::make_pair(id->second.string_value(), status->second.string_value());
}

}  // namespace

absl::StatusOr<absl::flat_hash_set<std::string>> KeepFinishedResults(const std::string& path,
                                                                     ReportFormat format) {
  absl::flat_hash_set<std::string> kept;
  if (!std::filesystem::exists(path)) return kept;
  auto read = ReadFileContents(path, "the output to resume");
  if (!read.ok()) return read.status();
  const std::string contents = *std::move(read);
  const bool csv = format == ReportFormat::kCsv;
  std::vector<absl::string_view> records = CompleteRecords(contents, csv);

  std::string rewritten;
  size_t first = 0;
  if (csv && !records.empty()) {
    absl::StrAppend(&rewritten, records[0]);  // the header
    first = 1;
  }
  for (size_t r = first; r < records.size(); ++r) {
    const auto id_and_status = IdAndStatus(records[r], csv);
    if (!id_and_status.has_value()) {
      return absl::DataLossError(absl::StrCat(
          path, " record ", r + 1, " is not a radlabel result; resume only into radlabel's own "
          "output, or write to a new file"));
    }
    if (!IsFinal(id_and_status->second) || !kept.insert(id_and_status->first).second) continue;
    absl::StrAppend(&rewritten, records[r]);
  }
  if (csv && records.empty()) {  // not even a header: start afresh
    std::filesystem::remove(path);
    return kept;
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
