#include "cli/resume.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace radlabel {
namespace {

namespace fs = std::filesystem;

std::string Write(const std::string& name, const std::string& contents) {
  const fs::path path = fs::temp_directory_path() / (name + std::to_string(getpid()));
  std::ofstream(path, std::ios::binary) << contents;
  return path.string();
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST(ResumeTest, JsonlKeepsCompleteFinalRecordsOnce) {
  const std::string path = Write("resume.jsonl",
      "{\"id\":\"A\",\"status\":\"OK\"}\n"
      "{\"id\":\"B\",\"status\":\"UNAVAILABLE\",\"error\":\"x\"}\n"
      "{\"id\":\"C\",\"status\":\"INVALID_ARGUMENT\",\"error\":\"empty\"}\n"
      "{\"id\":\"A\",\"status\":\"OK\"}\n"
      "{\"id\":\"D\",\"sta");  // cut off by a crash
  auto kept = KeepFinishedResults(path, ReportFormat::kJsonl);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*kept, (absl::flat_hash_set<std::string>{"A", "C"}));
  EXPECT_EQ(Read(path),
            "{\"id\":\"A\",\"status\":\"OK\"}\n"
            "{\"id\":\"C\",\"status\":\"INVALID_ARGUMENT\",\"error\":\"empty\"}\n");
  fs::remove(path);
}

TEST(ResumeTest, CsvKeepsTheHeaderAndQuotedLineBreaksAndDropsACutRecord) {
  const std::string path = Write("resume.csv",
      "id,status,error,num_tokens,num_chunks\n"
      "A,OK,,5,1\n"
      "B,INTERNAL,\"model failed\",5,1\n"
      "\"C,1\",OK,\"two\nlines\",7,1\n"
      "D,OK,\"cut off");
  auto kept = KeepFinishedResults(path, ReportFormat::kCsv);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*kept, (absl::flat_hash_set<std::string>{"A", "C,1"}));
  EXPECT_EQ(Read(path),
            "id,status,error,num_tokens,num_chunks\n"
            "A,OK,,5,1\n"
            "\"C,1\",OK,\"two\nlines\",7,1\n");
  fs::remove(path);
}

TEST(ResumeTest, AMissingFileKeepsNothingAndAForeignFileIsRefused) {
  auto none = KeepFinishedResults("/nonexistent/out.jsonl", ReportFormat::kJsonl);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  const std::string path = Write("foreign.jsonl", "not json\n");
  EXPECT_EQ(KeepFinishedResults(path, ReportFormat::kJsonl).status().code(),
            absl::StatusCode::kDataLoss);
  fs::remove(path);
}

}  // namespace
}  // namespace radlabel
