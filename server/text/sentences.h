// Sentence boundaries of a report, for evidence spans: a reader is shown the sentence that
// supports a label, not a lone word piece.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "text/tokenizer.h"

namespace radlabel {

// Byte spans of the sentences of `text`: a sentence ends after '.', '!', '?' or ';' followed by
// white space, and at every line break (report sections and list items are lines), except that
// a full stop after an abbreviation ends nothing: after a single letter ("L. frontal lobe", the
// "g." of "e.g.") or after one of dr, approx, fig, figs, vs, mr, mrs, lt, rt, cf, ca, prof (any
// case). The default model splits its input at the same places
// (model/radlabel_model/network.py, ABBREVIATIONS). Spans are trimmed of white space; empty ones
// are dropped. Covers every non-space byte of `text`.
std::vector<TextSpan> SplitSentences(absl::string_view text);

// Number of Unicode code points in text[0, byte_offset): the offset as Python's str indexes it.
int CodePointOffset(absl::string_view text, size_t byte_offset);

}  // namespace radlabel
