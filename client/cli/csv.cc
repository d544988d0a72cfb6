#include "cli/csv.h"

#include "absl/strings/str_cat.h"

namespace radlabel {

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  constexpr int kEof = std::char_traits<char>::eof();
  if (at_start_) {
    at_start_ = false;
    if (in_.sgetc() == 0xEF) {
      const std::string bom = "\xEF\xBB\xBF";
      char head[3];
      const std::streamsize n = in_.sgetn(head, 3);
      if (std::string(head, static_cast<size_t>(n)) != bom) {
        for (std::streamsize i = n - 1; i >= 0; --i) in_.sputbackc(head[i]);
      }
    }
  }
  while (true) {
    fields->clear();
    record_line_ = line_;
    std::string field;
    bool quoted = false;      // inside a quoted field
    bool was_quoted = false;  // the current field was quoted and has closed
    while (true) {
      const int c = in_.sbumpc();
      if (quoted) {
        if (c == kEof) {
          return absl::InvalidArgumentError(absl::StrCat(
              "CSV line ", record_line_, ": a quoted field is never closed; check its quotes"));
        }
        if (c == '"') {
          if (in_.sgetc() == '"') {
            in_.sbumpc();
            field.push_back('"');
          } else {
            quoted = false;
            was_quoted = true;
          }
          continue;
        }
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
        continue;
      }
      if (c == ',' || c == '\n' || c == '\r' || c == kEof) {
        if (c == '\r' && in_.sgetc() == '\n') in_.sbumpc();
        const bool end_of_record = c != ',';
        if (end_of_record) ++line_;
        const bool blank_line = end_of_record && fields->empty() && field.empty() && !was_quoted;
        if (blank_line) {
          if (c == kEof) return false;
          break;  // skip it: read the next line
        }
        fields->push_back(std::move(field));
        field.clear();
        was_quoted = false;
        if (end_of_record) return true;
        continue;
      }
      if (was_quoted) {
        return absl::InvalidArgumentError(absl::StrCat(
            "CSV line ", line_, ": a character follows a closing quote; inside a quoted field "
            "write a quote as \"\""));
      }
      if (c == '"' && field.empty()) {
        quoted = true;
        continue;
      }
      field.push_back(static_cast<char>(c));
    }
  }
}

void AppendCsvField(absl::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out.append(field.data(), field.size());
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace radlabel
