#include "cli/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace radlabel {
namespace {

std::vector<std::vector<std::string>> ReadAll(const std::string& text, absl::Status* error = nullptr) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  while (true) {
    absl::StatusOr<bool> got = reader.Next(&fields);
    if (!got.ok()) {
      if (error != nullptr) *error = got.status();
      return records;
    }
    if (!*got) return records;
    records.push_back(fields);
  }
}

using Records = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, PlainRecords) {
  EXPECT_EQ(ReadAll("id,text\n1,abc\n2,def\n"), (Records{{"id", "text"}, {"1", "abc"}, {"2", "def"}}));
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const std::string csv =
      "id,text\r\n"
      "r1,\"FINDINGS: small infarct, left.\nCONCLUSION: \"\"acute\"\" stroke\"\r\n"
      "r2,\"\"\r\n";
  EXPECT_EQ(ReadAll(csv), (Records{{"id", "text"},
                                   {"r1", "FINDINGS: small infarct, left.\nCONCLUSION: \"acute\" stroke"},
                                   {"r2", ""}}));
}

TEST(CsvReaderTest, LastRecordWithoutLineBreakAndEmptyFields) {
  EXPECT_EQ(ReadAll("a,,c\n,,\nx,y,z"), (Records{{"a", "", "c"}, {"", "", ""}, {"x", "y", "z"}}));
}

TEST(CsvReaderTest, SkipsByteOrderMarkAndBlankLines) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBFid,text\n\n1,a\n\n"), (Records{{"id", "text"}, {"1", "a"}}));
}

TEST(CsvReaderTest, RecordLineCountsQuotedLineBreaks) {
  std::istringstream in("h\n\"a\nb\nc\"\nnext\n");
  CsvReader reader(in);
  std::vector<std::string> fields;
  ASSERT_TRUE(*reader.Next(&fields));
  ASSERT_TRUE(*reader.Next(&fields));
  EXPECT_EQ(reader.record_line(), 2);
  ASSERT_TRUE(*reader.Next(&fields));
  EXPECT_EQ(reader.record_line(), 5);
  EXPECT_EQ(fields, (std::vector<std::string>{"next"}));
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnErrorNamingTheLine) {
  absl::Status error;
  ReadAll("id,text\n1,ok\n2,\"never closed\n", &error);
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(error.message().find("line 3"), absl::string_view::npos) << error;
}

TEST(CsvReaderTest, TextAfterAClosingQuoteIsAnError) {
  absl::Status error;
  ReadAll("1,\"a\"b\n", &error);
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvWriterTest, RoundTripsThroughTheReader) {
  const std::vector<std::string> fields = {"plain", "with,comma", "with \"quote\"", "multi\nline", ""};
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ",";
    AppendCsvField(fields[i], line);
  }
  EXPECT_EQ(ReadAll(line + "\n"), (Records{fields}));
}

}  // namespace
}  // namespace radlabel
