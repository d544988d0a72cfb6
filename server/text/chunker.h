// Long reports are never cut: a report longer than the model's window is split into overlapping
// windows, and the report's probabilities are combined from all of them. Mirrors
// model/radlabel_model/chunking.py, which the offline evaluation uses.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace radlabel {

struct ChunkingOptions {
  // Model window in tokens, [CLS] and [SEP] included; at least 3.
  int max_tokens = 128;
  // Tokens shared by consecutive windows; 0 <= chunk_overlap < max_tokens - 2.
  int chunk_overlap = 32;
  int32_t cls_id = 0;
  int32_t sep_id = 0;
};

// Splits report tokens into windows of [CLS] + at most (max_tokens - 2) tokens + [SEP]. Window k
// starts at token k * (max_tokens - 2 - chunk_overlap); the last window reaches the last token.
// An empty report gives one window of [CLS] [SEP].
std::vector<std::vector<int32_t>> SplitIntoWindows(absl::Span<const int32_t> tokens,
                                                   const ChunkingOptions& options);

// The index into the report's tokens of window `window`'s first token after [CLS].
size_t WindowFirstToken(int window, const ChunkingOptions& options);

// Per label, the window with the highest probability of `positive_class`, from per-window
// probabilities [windows][labels * classes]: the window that decides the label and whose
// attention gives its evidence. A later window must beat the best so far by more than
// kWindowTieTolerance: a sentence-level model gives a sentence the same probability in every
// window that holds it, up to float noise that differs between batch compositions, and the
// earliest of such tied windows must win in every run (and in model/radlabel_model/chunking.py).
inline constexpr float kWindowTieTolerance = 1e-5f;
std::vector<int> BestWindowPerLabel(const std::vector<std::vector<float>>& window_probabilities,
                                    int num_labels, int num_classes, int positive_class);

// The report's [labels * classes]: per label, the class distribution of its best window.
std::vector<float> CombineWindows(const std::vector<std::vector<float>>& window_probabilities,
                                  const std::vector<int>& best_window, int num_classes);

}  // namespace radlabel
