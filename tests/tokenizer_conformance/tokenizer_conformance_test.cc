// The C++ tokenizer against a reference implementation: Hugging Face's JavaScript tokenizer
// (@huggingface/tokenizers), given a tokenizer.json built from the default bundle's vocab.txt,
// must produce exactly the same ids for every string of
// tests/data/tokenizer_conformance_strings.jsonl. The ids come from reference_ids.sh, run by
// ctest as this test's fixture; their path is the first argument.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "text/tokenizer.h"

namespace radlabel {
namespace {

std::string g_reference_ids_path;

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(TokenizerConformanceTest, IdsEqualHuggingFaceJavaScriptTokenizerOnEveryString) {
  const std::string source = RADLABEL_SOURCE_DIR;
  auto tokenizer = WordPieceTokenizer::FromVocabFile(source + "/model/default/vocab.txt", {});
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  const std::vector<std::string> strings = ReadLines(source + "/tests/data/tokenizer_conformance_strings.jsonl");
  const std::vector<std::string> reference = ReadLines(g_reference_ids_path);
  ASSERT_GE(strings.size(), 2000u);
  ASSERT_EQ(reference.size(), strings.size()) << g_reference_ids_path;
  int mismatches = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    google::protobuf::Struct entry;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(strings[i], &entry).ok()) << i;
    google::protobuf::ListValue ids;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(reference[i], &ids).ok()) << i;
    std::vector<int32_t> expected;
    for (const auto& id : ids.values()) expected.push_back(static_cast<int32_t>(id.number_value()));
    const std::vector<int32_t> actual = tokenizer->Encode(entry.fields().at("text").string_value());
    if (actual != expected) {
      ++mismatches;
      ADD_FAILURE() << "string " << i << " (line " << i + 1 << "): " << actual.size()
                    << " ids here, " << expected.size() << " from @huggingface/tokenizers";
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << strings.size() << " strings";
}

}  // namespace
}  // namespace radlabel

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::cerr << "usage: tokenizer_conformance_test HF_IDS_JSONL (written by reference_ids.sh)\n";
    return 2;
  }
  radlabel::g_reference_ids_path = argv[1];
  return RUN_ALL_TESTS();
}
