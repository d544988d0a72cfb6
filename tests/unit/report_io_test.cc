#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/json_string.h"
#include "absl/strings/str_cat.h"
#include "cli/input_scan.h"
#include "cli/report_reader.h"
#include "cli/result_writer.h"

namespace radlabel {
namespace {

namespace fs = std::filesystem;

class ReportIoTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& name, const std::string& contents) {
    const fs::path path = fs::temp_directory_path() /
                          ("radlabel_io_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path, std::ios::binary) << contents;
    paths_.push_back(path);
    return path.string();
  }
  void TearDown() override {
    for (const fs::path& p : paths_) fs::remove(p);
  }
  std::vector<fs::path> paths_;
};

std::vector<std::pair<std::string, std::string>> ReadAll(ReportReader& reader) {
  std::vector<std::pair<std::string, std::string>> reports;
  while (true) {
    auto record = reader.Next();
    EXPECT_TRUE(record.ok()) << record.status();
    if (!record.ok() || !record->has_value()) return reports;
    EXPECT_TRUE((*record)->report.ok()) << (*record)->report.status();
    if (!(*record)->report.ok()) return reports;
    reports.emplace_back((*record)->report->id(), (*record)->report->text());
  }
}

TEST_F(ReportIoTest, CsvColumnsAreChosenByName) {
  const std::string path =
      WriteFile("a.csv", "mrn,report_id,body\n1,r1,\"two\nlines, one comma\"\n2,r2,short\n");
  auto reader = OpenReportReader(path, ReportFormat::kCsv, {"report_id", "body"});
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(ReadAll(**reader), (std::vector<std::pair<std::string, std::string>>{
                                   {"r1", "two\nlines, one comma"}, {"r2", "short"}}));
  EXPECT_EQ(ScanInput(path, ReportFormat::kCsv, {"report_id", "body"})->reports, 2);
}

TEST_F(ReportIoTest, AMissingCsvColumnListsTheColumnsAndTheFlag) {
  const std::string path = WriteFile("b.csv", "mrn,report_id,body\n");
  auto reader = OpenReportReader(path, ReportFormat::kCsv, {"report_id", "text"});
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("mrn, report_id, body"), absl::string_view::npos);
  EXPECT_NE(reader.status().message().find("--text_column"), absl::string_view::npos);
}

// A bad record fails alone: it says why, naming its line, and the next record is read.
void ExpectBadRecordThenGood(ReportReader& reader, int64_t line, absl::string_view secret) {
  const auto bad = reader.Next();
  ASSERT_TRUE(bad.ok() && bad->has_value()) << bad.status();
  EXPECT_EQ((*bad)->line, line);
  ASSERT_FALSE((*bad)->report.ok());
  const absl::string_view message = (*bad)->report.status().message();
  EXPECT_NE(message.find(absl::StrCat("line ", line)), absl::string_view::npos) << message;
  if (!secret.empty()) {
    EXPECT_EQ(message.find(secret), absl::string_view::npos) << message;
  }
  const auto next = reader.Next();
  ASSERT_TRUE(next.ok() && next->has_value() && (*next)->report.ok());
  EXPECT_EQ((*next)->report->id(), "r3");
}

TEST_F(ReportIoTest, AShortCsvRowFailsAloneNamingItsLine) {
  const std::string path = WriteFile("c.csv", "id,text\nr1,ok\nr2\nr3,fine\n");
  auto reader = OpenReportReader(path, ReportFormat::kCsv, {});
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Next().ok());
  ExpectBadRecordThenGood(**reader, 3, "");
  EXPECT_EQ(ScanInput(path, ReportFormat::kCsv, {})->reports, 2);
}

TEST_F(ReportIoTest, JsonlAcceptsStringAndNumberIds) {
  const std::string path =
      WriteFile("d.jsonl", "{\"id\": \"r1\", \"text\": \"a\\nb\"}\n\n{\"id\": 42, \"text\": \"c\", \"extra\": 1}\n"
                           "{\"id\": 1234567890123, \"text\": \"d\"}\n");
  auto reader = OpenReportReader(path, ReportFormat::kJsonl, {});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(ReadAll(**reader),
            (std::vector<std::pair<std::string, std::string>>{
                {"r1", "a\nb"}, {"42", "c"}, {"1234567890123", "d"}}));
}

TEST_F(ReportIoTest, BadJsonlFailsAloneNamingTheLineNotTheContent) {
  const std::string path = WriteFile(
      "e.jsonl",
      "{\"id\": \"r1\", \"text\": \"ok\"}\n{\"id\": \"r2\", \"text\": secret}\n"
      "{\"id\": \"r3\", \"text\": \"fine\"}\n");
  auto reader = OpenReportReader(path, ReportFormat::kJsonl, {});
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Next().ok());
  ExpectBadRecordThenGood(**reader, 2, "secret");
  EXPECT_EQ(ScanInput(path, ReportFormat::kJsonl, {})->reports, 2);
}

TEST(ReportFormatTest, AutoPicksByExtension) {
  EXPECT_EQ(*ParseReportFormat("auto", "x.JSONL"), ReportFormat::kJsonl);
  EXPECT_EQ(*ParseReportFormat("auto", "x.csv"), ReportFormat::kCsv);
  EXPECT_EQ(*ParseReportFormat("jsonl", "x.csv"), ReportFormat::kJsonl);
  EXPECT_FALSE(ParseReportFormat("xml", "x.csv").ok());
}

TEST(JsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01", out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
}

}  // namespace
}  // namespace radlabel
