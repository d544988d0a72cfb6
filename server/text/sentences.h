// Sentence boundaries of a report, for evidence spans: a reader is shown the sentence that
// supports a label, not a lone word piece.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "text/tokenizer.h"

namespace radlabel {

// Byte spans of the sentences of `text`: a sentence ends after '.', '!', '?' or ';' followed by
// white space, and at every line break (report sections and list items are lines). Spans are
// trimmed of white space; empty ones are dropped. Covers every non-space byte of `text`.
std::vector<TextSpan> SplitSentences(absl::string_view text);

// Number of Unicode code points in text[0, byte_offset): the offset as Python's str indexes it.
int CodePointOffset(absl::string_view text, size_t byte_offset);

}  // namespace radlabel
