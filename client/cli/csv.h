// RFC 4180 CSV: quoted fields with embedded commas, doubled quotes and line breaks; CRLF or LF
// record ends; a UTF-8 byte order mark at the start is skipped (spreadsheet exports add one).
#pragma once

#include <istream>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace radlabel {

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(*in.rdbuf()) {}

  // Reads the next record into *fields; false at the end of input. Blank lines are skipped.
  // Errors name the line, never the content: an unterminated quoted field, or a character
  // after a closing quote.
  absl::StatusOr<bool> Next(std::vector<std::string>* fields);

  // 1-based line on which the last record returned by Next started.
  int record_line() const { return record_line_; }

 private:
  std::streambuf& in_;
  int line_ = 1;
  int record_line_ = 0;
  bool at_start_ = true;
};

// Appends `field` to `out`, quoted when it holds a comma, quote, CR or LF.
void AppendCsvField(absl::string_view field, std::string& out);

}  // namespace radlabel
