#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
    auto report = reader.Next();
    EXPECT_TRUE(report.ok()) << report.status();
    if (!report.ok() || !report->has_value()) return reports;
    reports.emplace_back((*report)->id(), (*report)->text());
  }
}

TEST_F(ReportIoTest, CsvColumnsAreChosenByName) {
  const std::string path =
      WriteFile("a.csv", "mrn,report_id,body\n1,r1,\"two\nlines, one comma\"\n2,r2,short\n");
  auto reader = OpenReportReader(path, ReportFormat::kCsv, {"report_id", "body"});
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(ReadAll(**reader), (std::vector<std::pair<std::string, std::string>>{
                                   {"r1", "two\nlines, one comma"}, {"r2", "short"}}));
  EXPECT_EQ(*CountReports(path, ReportFormat::kCsv, {"report_id", "body"}), 2);
}

TEST_F(ReportIoTest, AMissingCsvColumnListsTheColumnsAndTheFlag) {
  const std::string path = WriteFile("b.csv", "mrn,report_id,body\n");
  auto reader = OpenReportReader(path, ReportFormat::kCsv, {"report_id", "text"});
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("mrn, report_id, body"), absl::string_view::npos);
  EXPECT_NE(reader.status().message().find("--text_column"), absl::string_view::npos);
}

TEST_F(ReportIoTest, AShortCsvRowNamesItsLine) {
  const std::string path = WriteFile("c.csv", "id,text\nr1,ok\nr2\n");
  auto reader = OpenReportReader(path, ReportFormat::kCsv, {});
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Next().ok());
  const auto bad = (*reader)->Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 3"), absl::string_view::npos) << bad.status();
}

TEST_F(ReportIoTest, JsonlAcceptsStringAndNumberIds) {
  const std::string path =
      WriteFile("d.jsonl", "{\"id\": \"r1\", \"text\": \"a\\nb\"}\n\n{\"id\": 42, \"text\": \"c\", \"extra\": 1}\n");
  auto reader = OpenReportReader(path, ReportFormat::kJsonl, {});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(ReadAll(**reader),
            (std::vector<std::pair<std::string, std::string>>{{"r1", "a\nb"}, {"42", "c"}}));
}

TEST_F(ReportIoTest, BadJsonlNamesTheLineNotTheContent) {
  const std::string path = WriteFile("e.jsonl", "{\"id\": \"r1\", \"text\": \"ok\"}\n{\"id\": \"r2\", \"text\": secret}\n");
  auto reader = OpenReportReader(path, ReportFormat::kJsonl, {});
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Next().ok());
  const auto bad = (*reader)->Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), absl::string_view::npos);
  EXPECT_EQ(bad.status().message().find("secret"), absl::string_view::npos);
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
