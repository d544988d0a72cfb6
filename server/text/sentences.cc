#include "text/sentences.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace radlabel {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsTerminator(char c) { return c == '.' || c == '!' || c == '?' || c == ';'; }

// Whether the full stop at text[dot] follows an abbreviation (see SplitSentences).
bool AfterAbbreviation(absl::string_view text, size_t dot) {
  static constexpr absl::string_view kAbbreviations[] = {"dr", "approx", "fig", "figs", "vs", "mr",
                                                         "mrs", "lt", "rt", "cf", "ca", "prof"};
  size_t begin = dot;
  while (begin > 0 && absl::ascii_isalpha(static_cast<unsigned char>(text[begin - 1]))) --begin;
  const absl::string_view word = text.substr(begin, dot - begin);
  if (word.size() == 1) return true;
  for (absl::string_view abbreviation : kAbbreviations) {
    if (absl::EqualsIgnoreCase(word, abbreviation)) return true;
  }
  return false;
}

}  // namespace

std::vector<TextSpan> SplitSentences(absl::string_view text) {
  std::vector<TextSpan> sentences;
  auto add = [&](size_t begin, size_t end) {
    while (begin < end && IsSpace(text[begin])) ++begin;
    while (end > begin && IsSpace(text[end - 1])) --end;
    if (begin < end) sentences.push_back({begin, end});
  };
  size_t begin = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool line_break = text[i] == '\n' || text[i] == '\r';
    const bool terminated = IsTerminator(text[i]) &&
                            (i + 1 == text.size() || IsSpace(text[i + 1])) &&
                            !(text[i] == '.' && AfterAbbreviation(text, i));
    if (line_break || terminated) {
      add(begin, i + 1);
      begin = i + 1;
    }
  }
  add(begin, text.size());
  return sentences;
}

int CodePointOffset(absl::string_view text, size_t byte_offset) {
  int count = 0;
  for (size_t i = 0; i < byte_offset && i < text.size(); ++i) {
    // Every UTF-8 byte except continuation bytes (10xxxxxx) starts a code point.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace radlabel
