#include "cli/result_writer.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/csv.h"
#include "common/json_string.h"

namespace radlabel {
namespace {

std::string CodeName(int32_t code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string Probability(float p) { return absl::StrFormat("%.6g", p); }

class StreamResultWriter : public ResultWriter {
 public:
  StreamResultWriter(const std::string& path, const v1::ModelInfo& info, bool evidence, bool append)
      : path_(path), info_(info), evidence_(evidence) {
    if (path != "-") file_.open(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  }
  bool opened() const { return path_ == "-" || file_.is_open(); }

  absl::Status Close() override {
    out().flush();
    if (path_ != "-") file_.close();
    if (!out()) return absl::DataLossError(absl::StrCat("writing ", path_, " failed (disk full?)"));
    return absl::OkStatus();
  }

 protected:
  std::ostream& out() { return path_ == "-" ? std::cout : file_; }
  absl::Status Put(const std::string& line) {
    out() << line;
    if (!out()) return absl::DataLossError(absl::StrCat("writing ", path_, " failed (disk full?)"));
    return absl::OkStatus();
  }

  const std::string path_;
  const v1::ModelInfo info_;
  const bool evidence_;
  std::ofstream file_;
};

class JsonlResultWriter final : public StreamResultWriter {
 public:
  using StreamResultWriter::StreamResultWriter;

  absl::Status Write(const v1::ReportResult& result, absl::string_view text,
                     absl::string_view source_sha256) override {
    std::string line = "{\"id\":";
    AppendJsonString(result.id(), line);
    absl::StrAppend(&line, ",\"status\":\"", CodeName(result.status().code()), "\"");
    if (result.status().code() != 0) {
      line += ",\"error\":";
      AppendJsonString(result.status().message(), line);
    }
    absl::StrAppend(&line, ",\"num_tokens\":", result.num_tokens(),
                    ",\"num_chunks\":", result.num_chunks(), ",\"labels\":{");
    for (int l = 0; l < result.labels_size(); ++l) {
      const v1::LabelResult& label = result.labels(l);
      if (l > 0) line += ",";
      AppendJsonString(label.name(), line);
      line += ":{\"decision\":";
      AppendJsonString(label.decision(), line);
      absl::StrAppend(&line, ",\"chexpert\":", ChexpertValue(label.decision()));
      line += ",\"probabilities\":{";
      for (int c = 0; c < label.probabilities_size() && c < info_.classes_size(); ++c) {
        if (c > 0) line += ",";
        AppendJsonString(info_.classes(c), line);
        absl::StrAppend(&line, ":", Probability(label.probabilities(c)));
      }
      line += "}";
      if (evidence_ && label.has_evidence()) {
        const v1::Evidence& e = label.evidence();
        absl::StrAppend(&line, ",\"evidence\":{\"start\":", e.start(), ",\"end\":", e.end(),
                        ",\"text\":");
        AppendJsonString(CodePointSubstr(text, e.start(), e.end()), line);
        line += "}";
      }
      line += "}";
    }
    line += "},\"source_sha256\":";
    AppendJsonString(source_sha256, line);
    line += "}\n";
    return Put(line);
  }
};

class CsvResultWriter final : public StreamResultWriter {
 public:
  using StreamResultWriter::StreamResultWriter;

  absl::Status WriteHeader() {
    std::string line = "id,status,error,num_tokens,num_chunks";
    for (const v1::LabelInfo& label : info_.labels()) {
      line += ",";
      AppendCsvField(label.name(), line);
      for (const std::string& c : info_.classes()) {
        line += ",";
        AppendCsvField(absl::StrCat(label.name(), "_", c), line);
      }
      if (evidence_) {
        line += ",";
        AppendCsvField(absl::StrCat(label.name(), "_evidence"), line);
      }
    }
    line += ",source_sha256\n";
    return Put(line);
  }

  absl::Status Write(const v1::ReportResult& result, absl::string_view text,
                     absl::string_view source_sha256) override {
    std::string line;
    AppendCsvField(result.id(), line);
    absl::StrAppend(&line, ",", CodeName(result.status().code()), ",");
    AppendCsvField(result.status().message(), line);
    absl::StrAppend(&line, ",", result.num_tokens(), ",", result.num_chunks());
    for (int l = 0; l < info_.labels_size(); ++l) {
      if (l < result.labels_size()) {
        const v1::LabelResult& label = result.labels(l);
        line += ",";
        AppendCsvField(ChexpertValue(label.decision()), line);
        for (int c = 0; c < info_.classes_size(); ++c) {
          absl::StrAppend(&line, ",",
                          c < label.probabilities_size() ? Probability(label.probabilities(c)) : "");
        }
        if (evidence_) {
          line += ",";
          if (label.has_evidence()) {
            AppendCsvField(CodePointSubstr(text, label.evidence().start(), label.evidence().end()),
                           line);
          }
        }
      } else {  // a failed report: empty label cells
        line.append(static_cast<size_t>(1 + info_.classes_size() + (evidence_ ? 1 : 0)), ',');
      }
    }
    absl::StrAppend(&line, ",", source_sha256, "\n");
    return Put(line);
  }
};

}  // namespace

std::string ChexpertValue(absl::string_view class_name) {
  if (class_name == "positive") return "1";
  if (class_name == "negative") return "0";
  if (class_name == "uncertain") return "-1";
  return std::string(class_name);
}

absl::string_view CodePointSubstr(absl::string_view text, int start, int end) {
  size_t begin_byte = text.size(), end_byte = text.size();
  int code_point = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (code_point == start) begin_byte = i;
    if (code_point == end) {
      end_byte = i;
      break;
    }
    ++code_point;
  }
  if (begin_byte > end_byte) return {};
  return text.substr(begin_byte, end_byte - begin_byte);
}

absl::StatusOr<std::unique_ptr<ResultWriter>> OpenResultWriter(const std::string& path,
                                                               ReportFormat format,
                                                               const v1::ModelInfo& info,
                                                               bool evidence, bool append) {
  if (format == ReportFormat::kJsonl) {
    auto writer = std::make_unique<JsonlResultWriter>(path, info, evidence, append);
    if (!writer->opened()) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
    return std::unique_ptr<ResultWriter>(std::move(writer));
  }
  auto writer = std::make_unique<CsvResultWriter>(path, info, evidence, append);
  if (!writer->opened()) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  if (!append) {
    if (absl::Status header = writer->WriteHeader(); !header.ok()) return header;
  }
  return std::unique_ptr<ResultWriter>(std::move(writer));
}

}  // namespace radlabel
