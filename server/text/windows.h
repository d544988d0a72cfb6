// Long reports are never cut: a report longer than the model's window is split into windows
// that overlap, and the model reads each window on its own (core/combine.h turns the windows'
// outputs into the report's). Mirrors model/radlabel_model/windows.py, which the offline
// evaluation uses.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace radlabel {

struct WindowOptions {
  // Model window in tokens, [CLS] and [SEP] included; at least 3 (the bundle's max_tokens).
  int max_tokens = 128;
  // Tokens shared by consecutive windows; 0 <= overlap < max_tokens - 2 (the bundle's
  // chunk_overlap).
  int overlap = 32;
  int32_t cls_id = 0;
  int32_t sep_id = 0;
};

// Splits report tokens into windows of [CLS] + at most (max_tokens - 2) tokens + [SEP]. Window k
// starts at token k * (max_tokens - 2 - overlap); the last window reaches the last token.
// An empty report gives one window of [CLS] [SEP].
std::vector<std::vector<int32_t>> SplitIntoWindows(absl::Span<const int32_t> tokens,
                                                   const WindowOptions& options);

// The index into the report's tokens of window `window`'s first token after [CLS].
size_t WindowFirstToken(int window, const WindowOptions& options);

}  // namespace radlabel
