#include "text/sentences.h"

#include <gtest/gtest.h>

#include <string>

namespace radlabel {
namespace {

std::vector<std::string> Sentences(absl::string_view text) {
  std::vector<std::string> out;
  for (const TextSpan& s : SplitSentences(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

TEST(SplitSentencesTest, EndsAtTerminatorsBeforeSpaceAndAtLineBreaks) {
  EXPECT_EQ(Sentences("FINDINGS: No infarct. Old lacune in the pons; no mass!\n"
                      "IMPRESSION:\n1. SVD? Fazekas 2.5 mm focus"),
            (std::vector<std::string>{"FINDINGS: No infarct.", "Old lacune in the pons;",
                                      "no mass!", "IMPRESSION:", "1.", "SVD?",
                                      "Fazekas 2.5 mm focus"}));
}

TEST(SplitSentencesTest, AbbreviationsAndDecimalsEndNoSentence) {
  EXPECT_EQ(Sentences("A 2.5 cm infarct in the L. frontal lobe, approx. 3 cm, e.g. on DWI. "
                      "Seen by Dr. Smith vs. Dr Jones. No mass."),
            (std::vector<std::string>{
                "A 2.5 cm infarct in the L. frontal lobe, approx. 3 cm, e.g. on DWI.",
                "Seen by Dr. Smith vs. Dr Jones.", "No mass."}));
  // A word that only ends like an abbreviation still ends its sentence.
  EXPECT_EQ(Sentences("Consistent with MS. Old lacune."),
            (std::vector<std::string>{"Consistent with MS.", "Old lacune."}));
}

TEST(SplitSentencesTest, BlankTextHasNoSentences) {
  EXPECT_TRUE(SplitSentences("").empty());
  EXPECT_TRUE(SplitSentences(" \n\r\n\t").empty());
}

TEST(CodePointOffsetTest, CountsCodePointsNotBytes) {
  const std::string text = "a\xc3\xa9\xe2\x80\x94\xf0\x9f\xa7\xa0z";  // a é — 🧠 z
  EXPECT_EQ(CodePointOffset(text, 0), 0);
  EXPECT_EQ(CodePointOffset(text, 1), 1);
  EXPECT_EQ(CodePointOffset(text, 3), 2);
  EXPECT_EQ(CodePointOffset(text, 6), 3);
  EXPECT_EQ(CodePointOffset(text, 10), 4);
  EXPECT_EQ(CodePointOffset(text, text.size()), 5);
}

}  // namespace
}  // namespace radlabel
