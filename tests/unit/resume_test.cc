#include "cli/resume.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "cli/input_scan.h"

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

// What the input holds now: every id and its source fingerprint.
absl::flat_hash_map<std::string, std::string> Sources(
    const std::vector<std::pair<std::string, std::string>>& reports) {
  absl::flat_hash_map<std::string, std::string> sources;
  for (const auto& [id, text] : reports) sources[id] = SourceFingerprint(id, text);
  return sources;
}

std::string Jsonl(const std::string& id, const std::string& text, const std::string& status) {
  return "{\"id\":\"" + id + "\",\"source_sha256\":\"" + SourceFingerprint(id, text) +
         "\",\"status\":\"" + status + "\"}\n";
}

TEST(ResumeTest, JsonlKeepsCompleteFinalRecordsOnce) {
  const std::string a = Jsonl("A", "a", "OK"), c = Jsonl("C", "", "INVALID_ARGUMENT");
  const std::string path = Write("resume.jsonl",
      a + Jsonl("B", "b", "UNAVAILABLE") + c + a + "{\"id\":\"D\",\"sta");  // cut off by a crash
  auto kept = KeepFinishedResults(path, ReportFormat::kJsonl,
                                  Sources({{"A", "a"}, {"B", "b"}, {"C", ""}, {"D", "d"}}));
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->ids, (absl::flat_hash_set<std::string>{"A", "C"}));
  EXPECT_EQ(kept->changed, 0);
  EXPECT_EQ(Read(path), a + c);
  fs::remove(path);
}

TEST(ResumeTest, CsvKeepsTheHeaderAndQuotedLineBreaksAndDropsACutRecord) {
  const std::string header = "id,status,error,num_tokens,num_chunks,source_sha256\n";
  const std::string a = "A,OK,,5,1," + SourceFingerprint("A", "a") + "\n";
  const std::string c = "\"C,1\",OK,\"two\nlines\",7,1," + SourceFingerprint("C,1", "c") + "\n";
  const std::string path = Write("resume.csv",
      header + a + "B,INTERNAL,\"model failed\",5,1," + SourceFingerprint("B", "b") + "\n" + c +
      "D,OK,\"cut off");
  auto kept = KeepFinishedResults(path, ReportFormat::kCsv,
                                  Sources({{"A", "a"}, {"B", "b"}, {"C,1", "c"}, {"D", "d"}}));
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->ids, (absl::flat_hash_set<std::string>{"A", "C,1"}));
  EXPECT_EQ(Read(path), header + a + c);
  fs::remove(path);
}

// A report re-sent with the same id and new text is labelled again, not kept with its old label.
TEST(ResumeTest, AResultWhoseReportsTextChangedIsDroppedToBeLabelledAgain) {
  const std::string path = Write("changed.jsonl", Jsonl("A", "old text", "OK") + Jsonl("B", "b", "OK"));
  auto kept = KeepFinishedResults(path, ReportFormat::kJsonl, Sources({{"A", "new text"}, {"B", "b"}}));
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->ids, (absl::flat_hash_set<std::string>{"B"}));
  EXPECT_EQ(kept->changed, 1);
  EXPECT_EQ(Read(path), Jsonl("B", "b", "OK"));
  fs::remove(path);
}

// Another job's output, one without sources, and a file that is no radlabel output are
// refused, and left as they are.
TEST(ResumeTest, AnotherJobsOutputOrOneWithoutSourcesIsRefusedAndLeftAlone) {
  const std::string other = Jsonl("X1", "x", "OK") + Jsonl("A", "a", "OK");
  const std::string path = Write("other.jsonl", other);
  auto refused = KeepFinishedResults(path, ReportFormat::kJsonl, Sources({{"A", "a"}}));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("another job's output"), std::string::npos) << refused.status();
  EXPECT_NE(refused.status().message().find("X1"), std::string::npos) << refused.status();
  EXPECT_EQ(Read(path), other);

  const std::string old = "{\"id\":\"A\",\"status\":\"OK\"}\n";
  const std::string old_path = Write("old.jsonl", old);
  auto unsourced = KeepFinishedResults(old_path, ReportFormat::kJsonl, Sources({{"A", "a"}}));
  EXPECT_EQ(unsourced.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(unsourced.status().message().find("source_sha256"), std::string::npos);
  EXPECT_EQ(Read(old_path), old);
  fs::remove(path);
  fs::remove(old_path);
}

// Files resume cannot read as its own are refused and left as they are: a JSON document with
// no line break, a CSV without source_sha256 last, a CSV row of other columns (a run with
// --evidence resumed without).
TEST(ResumeTest, FilesItCannotReadAsItsOwnAreRefusedAndLeftAlone) {
  const std::string a = "A,OK,,5,1," + SourceFingerprint("A", "a") + "\n";
  for (const auto& [name, contents] : std::vector<std::pair<std::string, std::string>>{
           {"doc.jsonl", "{\"notes\": \"no line break\"}"},
           {"old.csv", "id,status,error,num_tokens,num_chunks\nA,OK,,5,1\n"},
           {"evidence.csv", "id,status,error,num_tokens,num_chunks,source_sha256\n" + a.substr(0, a.size() - 1) +
                                ",extra\n"}}) {
    const std::string path = Write(name, contents);
    const ReportFormat format = name.size() > 4 && name.substr(name.size() - 4) == ".csv"
                                    ? ReportFormat::kCsv : ReportFormat::kJsonl;
    auto refused = KeepFinishedResults(path, format, Sources({{"A", "a"}}));
    EXPECT_FALSE(refused.ok()) << name;
    EXPECT_EQ(Read(path), contents) << name;
    fs::remove(path);
  }
}

TEST(ResumeTest, AMissingFileKeepsNothingAndAForeignFileIsRefused) {
  auto none = KeepFinishedResults("/nonexistent/out.jsonl", ReportFormat::kJsonl, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->ids.empty());
  const std::string path = Write("foreign.jsonl", "not json\n");
  EXPECT_EQ(KeepFinishedResults(path, ReportFormat::kJsonl, {}).status().code(),
            absl::StatusCode::kDataLoss);
  fs::remove(path);
}

TEST(SourceFingerprintTest, SeparatesIdFromTextAndIs32HexDigits) {
  EXPECT_NE(SourceFingerprint("ab", "c"), SourceFingerprint("a", "bc"));
  EXPECT_EQ(SourceFingerprint("a", "b"), SourceFingerprint("a", "b"));
  EXPECT_EQ(SourceFingerprint("a", "b").size(), 32u);
}

}  // namespace
}  // namespace radlabel
