#include "text/tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "model/bundle.h"

namespace radlabel {
namespace {

const std::string kSourceDir = RADLABEL_SOURCE_DIR;

// The ids of model/radlabel_model/wordpiece.py, written by model/build_default_bundle.py for
// edge cases and generated reports, must be reproduced exactly with the default bundle's
// settings.
TEST(TokenizerTest, MatchesPythonVectors) {
  const auto bundle = LoadModelBundle(kSourceDir + "/model/default");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  auto tokenizer = LoadBundleTokenizer(*bundle);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  std::ifstream in(kSourceDir + "/tests/data/tokenizer_vectors.jsonl");
  ASSERT_TRUE(in) << "missing tests/data/tokenizer_vectors.jsonl";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    google::protobuf::Struct vector;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &vector).ok()) << line;
    const std::string& text = vector.fields().at("text").string_value();
    std::vector<int32_t> expected;
    for (const auto& id : vector.fields().at("ids").list_value().values()) {
      expected.push_back(static_cast<int32_t>(id.number_value()));
    }
    EXPECT_EQ(tokenizer->Encode(text), expected) << "vector " << checked;
    ++checked;
  }
  EXPECT_GE(checked, 300);
}

WordPieceTokenizer SmallTokenizer(TokenizerOptions options = {}) {
  auto tokenizer = WordPieceTokenizer::Create(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "cafe", ",", "a", "##a", "北"},
      options);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return *std::move(tokenizer);
}

TEST(TokenizerTest, GreedyLongestMatchWithContinuationPieces) {
  const WordPieceTokenizer t = SmallTokenizer();
  EXPECT_EQ(t.Encode("unaffable"), (std::vector<int32_t>{4, 5, 6}));
  // A word the pieces cannot cover becomes one [UNK], not a partial match.
  EXPECT_EQ(t.Encode("unaffablex"), (std::vector<int32_t>{1}));
}

TEST(TokenizerTest, LowercasesStripsAccentsAndSplitsPunctuation) {
  const WordPieceTokenizer t = SmallTokenizer();
  EXPECT_EQ(t.Encode("CAFÉ,Café"), (std::vector<int32_t>{7, 8, 7}));
}

TEST(TokenizerTest, SpansGiveEachTokensSourceWordInBytes) {
  const WordPieceTokenizer t = SmallTokenizer();
  std::vector<TextSpan> spans;
  // "É" is two bytes; "unaffable" gives three pieces that share the word's span.
  const std::vector<int32_t> ids = t.Encode(" CAFÉ, unaffable\t北", &spans);
  EXPECT_EQ(ids, (std::vector<int32_t>{7, 8, 4, 5, 6, 11}));
  ASSERT_EQ(spans.size(), ids.size());
  const std::vector<std::pair<size_t, size_t>> expected = {{1, 6}, {6, 7}, {8, 17}, {8, 17}, {8, 17}, {18, 21}};
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(std::make_pair(spans[i].begin, spans[i].end), expected[i]) << i;
  }
}

// The same cases as model/tests/test_wordpiece.py.
TEST(TokenizerTest, ListLineBreaksBecomeFullStopsAndWrappedLinesDoNot) {
  EXPECT_EQ(MarkListLineEnds("Findings:\n- small infarct\n- no mass"),
            "Findings:\n- small infarct.- no mass");
  EXPECT_EQ(MarkListLineEnds("Mass in the pons \r\n2. No haemorrhage"),
            "Mass in the pons \r.2. No haemorrhage");
  EXPECT_EQ(MarkListLineEnds("acute infarct\n\n\u2022 atrophy"), "acute infarct.\n\u2022 atrophy");
  EXPECT_EQ(MarkListLineEnds("acute infarct\nA cyst\n12) Atrophy"), "acute infarct.A cyst.12) Atrophy");
  for (const char* text : {"There is no evidence of\nacute infarction.", "There is no\nFLAIR hyperintensity",
                           "measures\n12 mm", "No infarct.\nNo mass", "end\n", "\nMass"}) {
    EXPECT_EQ(MarkListLineEnds(text), text);
  }
  EXPECT_EQ(MarkListLineEnds("mass\u00a0\nNo"), "mass\u00a0.No");
}

TEST(TokenizerTest, LineBreaksEndSentencesOnlyWhenAsked) {
  auto plain = WordPieceTokenizer::Create({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "."}, {});
  TokenizerOptions options;
  options.line_breaks_end_sentences = true;
  auto marking = WordPieceTokenizer::Create({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "."}, options);
  ASSERT_TRUE(plain.ok() && marking.ok());
  EXPECT_EQ(plain->Encode("a\nA a"), (std::vector<int32_t>{4, 4, 4}));
  std::vector<TextSpan> spans;
  EXPECT_EQ(marking->Encode("a\nA a", &spans), (std::vector<int32_t>{4, 5, 4, 4}));
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(spans[1].begin, 1u);  // the full stop stands for the line break's byte
  EXPECT_EQ(spans[1].end, 2u);
}

TEST(TokenizerTest, KeepsCaseWhenNotLowercasing) {
  const WordPieceTokenizer t = SmallTokenizer({/*do_lower_case=*/false, 100});
  EXPECT_EQ(t.Encode("Cafe cafe"), (std::vector<int32_t>{1, 7}));
}

TEST(TokenizerTest, SplitsCjkAndDropsControlCharacters) {
  const WordPieceTokenizer t = SmallTokenizer();
  EXPECT_EQ(t.Encode(std::string("a\x00北\x07" "a", 7)), (std::vector<int32_t>{9, 11, 9}));
}

TEST(TokenizerTest, WordsOverTheLimitBecomeUnknown) {
  const WordPieceTokenizer t = SmallTokenizer({true, 100});
  std::vector<int32_t> hundred(100, 10);  // "a" then 99 x "##a"
  hundred[0] = 9;
  EXPECT_EQ(t.Encode(std::string(100, 'a')), hundred);
  EXPECT_EQ(t.Encode(std::string(101, 'a')), (std::vector<int32_t>{1}));
}

TEST(TokenizerTest, RejectsVocabularyWithoutSpecialTokens) {
  auto tokenizer = WordPieceTokenizer::Create({"[PAD]", "[UNK]", "[CLS]"}, {});
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_NE(tokenizer.status().message().find("[SEP]"), absl::string_view::npos);
}

TEST(TokenizerTest, ValidatesUtf8) {
  size_t offset = 0;
  EXPECT_TRUE(IsValidUtf8("plain ascii, café", &offset));
  EXPECT_FALSE(IsValidUtf8("abc\xff", &offset));
  EXPECT_EQ(offset, 3u);
  EXPECT_FALSE(IsValidUtf8("\xc3", &offset));  // truncated sequence
  EXPECT_EQ(offset, 0u);
}

}  // namespace
}  // namespace radlabel
