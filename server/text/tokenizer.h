// BERT WordPiece tokenizer, bit-for-bit compatible with model/radlabel_model/wordpiece.py (the
// tokenizer the model was trained with): checked against vectors that file produces.
//
// Steps: drop NUL, U+FFFD and control characters, map white space to a space, put spaces around
// CJK ideographs, split on white space, lowercase and strip accents (NFD, drop Mn marks) when
// do_lower_case, split off punctuation, then greedy longest-match-first WordPiece with "##"
// continuation pieces. A word longer than max_input_chars_per_word code points, or one the
// vocabulary cannot cover, becomes [UNK].
//
// Known divergence from Python's str.lower(): context-dependent lowercasing (Greek final sigma)
// is not applied; it has no effect on English reports.
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace radlabel {

// Byte offsets [begin, end) into a text.
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
};

struct TokenizerOptions {
  // Lowercase and strip accents; true for uncased BERT vocabularies.
  bool do_lower_case = true;
  // Words longer than this many code points become [UNK]. BERT uses 100.
  int max_input_chars_per_word = 100;
  // Encode a list item's line break as a full stop (MarkListLineEnds), for models that end
  // sentences at full stops. Off for BERT vocabularies, which never saw it.
  bool line_breaks_end_sentences = false;
};

// `text` with the line break of each list item replaced by a full stop: a line break where its
// line holds text without a sentence end (. : ; ! ?) and the next line starts like a new item:
// '-', '*', U+2022 or U+2013, digits and a '.' or ')', or an ASCII capital followed by a
// lowercase letter or a space ("No mass", "A cyst"). Anything else (a lowercase word, an acronym,
// a measurement) continues a wrapped sentence, whose line break must not cut a negation from what
// it negates. One byte for one, so offsets into the text still hold.
// model/radlabel_model/wordpiece.py applies the same rule.
std::string MarkListLineEnds(absl::string_view text);

class WordPieceTokenizer {
 public:
  // `vocab` holds one token per entry; a token's id is its index. The vocabulary must contain
  // [PAD], [UNK], [CLS] and [SEP].
  static absl::StatusOr<WordPieceTokenizer> Create(std::vector<std::string> vocab,
                                                   TokenizerOptions options);
  // Reads vocab.txt: one token per line, id = line number from 0.
  static absl::StatusOr<WordPieceTokenizer> FromVocabFile(const std::string& path,
                                                          TokenizerOptions options);

  // Token ids of `utf8_text`, without [CLS]/[SEP]. Invalid UTF-8 sequences are skipped
  // (callers reject such text before it gets here). With `spans`, also the byte range of the
  // word (or punctuation character) each token came from: every piece of a word shares it.
  std::vector<int32_t> Encode(absl::string_view utf8_text,
                              std::vector<TextSpan>* spans = nullptr) const;

  int32_t pad_id() const { return pad_id_; }
  int32_t unk_id() const { return unk_id_; }
  int32_t cls_id() const { return cls_id_; }
  int32_t sep_id() const { return sep_id_; }
  int vocab_size() const { return static_cast<int>(vocab_.size()); }

 private:
  WordPieceTokenizer() = default;
  // Appends the pieces of one word (code points, already normalised).
  void EncodeWord(const std::u32string& word, std::vector<int32_t>& ids) const;

  absl::flat_hash_map<std::string, int32_t> vocab_;
  TokenizerOptions options_;
  int32_t pad_id_ = 0, unk_id_ = 0, cls_id_ = 0, sep_id_ = 0;
};

// True when `text` is valid UTF-8; otherwise *bad_offset is the offset of the first bad byte.
bool IsValidUtf8(absl::string_view text, size_t* bad_offset);

}  // namespace radlabel
