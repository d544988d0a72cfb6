#include "text/tokenizer.h"

#include <utf8proc.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace radlabel {
namespace {

bool IsControl(utf8proc_int32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

bool IsWhitespace(utf8proc_int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
         utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

// Python's str.split() also splits on the line and paragraph separators, which survive cleaning.
bool IsWordSeparator(char32_t cp) { return cp == ' ' || cp == 0x2028 || cp == 0x2029; }

bool IsPunctuation(utf8proc_int32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126)) {
    return true;
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

bool IsCjk(utf8proc_int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void AppendUtf8(char32_t cp, std::string& out) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// Lowercase, canonical decomposition, drop nonspacing marks: Python's
// "".join(c for c in unicodedata.normalize("NFD", token.lower()) if category(c) != "Mn").
void AppendLowerStripped(char32_t cp, std::u32string& out) {
  const utf8proc_int32_t lower = utf8proc_tolower(static_cast<utf8proc_int32_t>(cp));
  utf8proc_int32_t decomposed[32];
  int boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(lower, decomposed, 32, UTF8PROC_DECOMPOSE,
                                                     &boundclass);
  if (n < 0 || n > 32) {  // cannot happen for a valid code point; keep the character as is
    out.push_back(static_cast<char32_t>(lower));
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    if (utf8proc_category(decomposed[i]) != UTF8PROC_CATEGORY_MN) {
      out.push_back(static_cast<char32_t>(decomposed[i]));
    }
  }
}

// Calls on_code_point(cp, begin, end) for each code point of `text` (its byte range) and returns
// true, or stops at the first
// invalid byte and returns false with its offset in *bad_offset (when `stop_at_invalid`); without
// `stop_at_invalid`, invalid bytes are skipped.
template <typename OnCodePoint>
bool DecodeUtf8(absl::string_view text, bool stop_at_invalid, size_t* bad_offset,
                OnCodePoint on_code_point) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp;
    const utf8proc_ssize_t n =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0) {
      if (stop_at_invalid) {
        if (bad_offset != nullptr) *bad_offset = i;
        return false;
      }
      ++i;
      continue;
    }
    on_code_point(cp, i, i + static_cast<size_t>(n));
    i += static_cast<size_t>(n);
  }
  return true;
}


// Whether a line starting with `line` starts a new list item (MarkListLineEnds).
bool StartsListItem(absl::string_view line) {
  const auto at = [&](size_t i) { return i < line.size() ? static_cast<unsigned char>(line[i]) : 0; };
  if (line.empty()) return false;
  if (line[0] == '-' || line[0] == '*' || absl::StartsWith(line, "\u2022") ||
      absl::StartsWith(line, "\u2013")) {
    return true;
  }
  if (absl::ascii_isdigit(at(0))) {
    size_t i = 0;
    while (absl::ascii_isdigit(at(i))) ++i;
    return at(i) == '.' || at(i) == ')';
  }
  return absl::ascii_isupper(at(0)) && (absl::ascii_islower(at(1)) || at(1) == ' ');
}

}  // namespace

std::string MarkListLineEnds(absl::string_view text) {
  const auto ascii_space = [](char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); };
  std::string out(text);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    size_t before = i;
    while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t' || text[before - 1] == '\r')) {
      --before;
    }
    if (before == 0 || ascii_space(text[before - 1]) ||
        absl::string_view(".:;!?").find(text[before - 1]) != absl::string_view::npos) {
      continue;
    }
    size_t next = i + 1;
    while (next < text.size() && ascii_space(text[next])) ++next;
    const absl::string_view rest = text.substr(next);
    if (StartsListItem(rest)) out[i] = '.';
  }
  return out;
}

bool IsValidUtf8(absl::string_view text, size_t* bad_offset) {
  return DecodeUtf8(text, /*stop_at_invalid=*/true, bad_offset,
                    [](utf8proc_int32_t, size_t, size_t) {});
}

absl::StatusOr<WordPieceTokenizer> WordPieceTokenizer::Create(std::vector<std::string> vocab,
                                                              TokenizerOptions options) {
  if (options.max_input_chars_per_word < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_input_chars_per_word is ", options.max_input_chars_per_word,
                     "; it must be at least 1 (BERT uses 100)"));
  }
  WordPieceTokenizer t;
  t.options_ = options;
  t.vocab_.reserve(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    // Like BERT's loader, a later duplicate wins.
    t.vocab_[std::move(vocab[i])] = static_cast<int32_t>(i);
  }
  struct Special {
    const char* token;
    int32_t* id;
  };
  for (const Special& s : {Special{"[PAD]", &t.pad_id_}, Special{"[UNK]", &t.unk_id_},
                           Special{"[CLS]", &t.cls_id_}, Special{"[SEP]", &t.sep_id_}}) {
    const auto it = t.vocab_.find(s.token);
    if (it == t.vocab_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the vocabulary has no ", s.token, " token; a BERT vocab.txt must contain [PAD], [UNK], "
          "[CLS] and [SEP]"));
    }
    *s.id = it->second;
  }
  return t;
}

absl::StatusOr<WordPieceTokenizer> WordPieceTokenizer::FromVocabFile(const std::string& path,
                                                                     TokenizerOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open vocabulary ", path));
  std::vector<std::string> vocab;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!IsValidUtf8(line, nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat(path, " line ", vocab.size() + 1,
                                                     " is not valid UTF-8; save it as UTF-8"));
    }
    vocab.push_back(std::move(line));
  }
  auto tokenizer = Create(std::move(vocab), options);
  if (!tokenizer.ok()) {
    return absl::Status(tokenizer.status().code(),
                        absl::StrCat(path, ": ", tokenizer.status().message()));
  }
  return tokenizer;
}

std::vector<int32_t> WordPieceTokenizer::Encode(absl::string_view utf8_text,
                                                std::vector<TextSpan>* spans) const {
  std::string marked;
  if (options_.line_breaks_end_sentences) {
    marked = MarkListLineEnds(utf8_text);
    utf8_text = marked;
  }
  std::vector<int32_t> ids;
  std::u32string word;
  TextSpan word_span;  // bytes of the source text the current word came from
  auto flush = [&] {
    if (!word.empty()) {
      EncodeWord(word, ids);
      if (spans != nullptr) spans->resize(ids.size(), word_span);
    }
    word.clear();
  };
  auto extend = [&](char32_t c, size_t begin, size_t end) {
    if (word.empty()) word_span.begin = begin;
    word_span.end = end;
    word.push_back(c);
  };
  DecodeUtf8(utf8_text, /*stop_at_invalid=*/false, nullptr,
             [&](utf8proc_int32_t cp, size_t begin, size_t end) {
    if (cp == 0 || cp == 0xFFFD || IsControl(cp)) return;
    if (IsWhitespace(cp) || IsWordSeparator(static_cast<char32_t>(cp))) {
      flush();
      return;
    }
    if (IsCjk(cp)) {
      flush();
      extend(static_cast<char32_t>(cp), begin, end);
      flush();
      return;
    }
    // Punctuation is judged after lowercasing and decomposition, as in the Python tokenizer.
    std::u32string normalised;
    if (options_.do_lower_case) {
      AppendLowerStripped(static_cast<char32_t>(cp), normalised);
    } else {
      normalised.push_back(static_cast<char32_t>(cp));
    }
    for (char32_t c : normalised) {
      if (IsPunctuation(static_cast<utf8proc_int32_t>(c))) {
        flush();
        extend(c, begin, end);
        flush();
      } else {
        extend(c, begin, end);
      }
    }
  });
  flush();
  return ids;
}

void WordPieceTokenizer::EncodeWord(const std::u32string& word, std::vector<int32_t>& ids) const {
  if (static_cast<int>(word.size()) > options_.max_input_chars_per_word) {
    ids.push_back(unk_id_);
    return;
  }
  // UTF-8 of the word with the byte offset of every code point, so pieces are substrings.
  std::string utf8;
  std::vector<size_t> offsets;
  offsets.reserve(word.size() + 1);
  for (char32_t cp : word) {
    offsets.push_back(utf8.size());
    AppendUtf8(cp, utf8);
  }
  offsets.push_back(utf8.size());

  const size_t first_piece = ids.size();
  std::string piece;
  size_t start = 0;
  while (start < word.size()) {
    size_t end = word.size();
    int32_t found = -1;
    for (; end > start; --end) {
      piece.assign(start == 0 ? "" : "##");
      piece.append(utf8, offsets[start], offsets[end] - offsets[start]);
      const auto it = vocab_.find(piece);
      if (it != vocab_.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {
      ids.resize(first_piece);
      ids.push_back(unk_id_);
      return;
    }
    ids.push_back(found);
    start = end;
  }
}

}  // namespace radlabel
