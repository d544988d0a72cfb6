// Evidence for a label: the sentence of the report that the label's attention pooling weighted
// most, so that a reader sees why the model decided what it did.
#pragma once

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "text/tokenizer.h"

namespace radlabel {

struct Evidence {
  // The sentence, as Unicode code point offsets [start, end) into the report text (Python's
  // text[start:end]).
  int start = 0;
  int end = 0;
  // The share of the label's attention on the window's text tokens that fell on this sentence.
  float weight = 0;
};

// `sentences`: SplitSentences(text). `token_spans`: the byte span of each report token
// (WordPieceTokenizer::Encode). `first_token`: the index of the window's first report token.
// `window_attention`: the label's weights over the window, [CLS] first and [SEP] last.
// Returns nothing when the window holds no text tokens.
std::optional<Evidence> PickEvidence(absl::string_view text, absl::Span<const TextSpan> sentences,
                                     absl::Span<const TextSpan> token_spans, size_t first_token,
                                     absl::Span<const float> window_attention);

}  // namespace radlabel
