#include "core/evidence.h"

#include <algorithm>

#include "text/sentences.h"

namespace radlabel {

std::optional<Evidence> PickEvidence(absl::string_view text, absl::Span<const TextSpan> sentences,
                                     absl::Span<const TextSpan> token_spans, size_t first_token,
                                     absl::Span<const float> window_attention) {
  if (sentences.empty() || window_attention.size() < 3) return std::nullopt;
  std::vector<double> mass(sentences.size(), 0.0);
  double total = 0;
  // Positions 1 .. size-2 are report tokens; [CLS] and [SEP] carry no text.
  for (size_t position = 1; position + 1 < window_attention.size(); ++position) {
    const size_t token = first_token + position - 1;
    if (token >= token_spans.size()) break;
    // The sentence holding the token's first byte: the last one that begins at or before it.
    const auto after = std::upper_bound(
        sentences.begin(), sentences.end(), token_spans[token].begin,
        [](size_t byte, const TextSpan& sentence) { return byte < sentence.begin; });
    if (after == sentences.begin()) continue;
    const double weight = window_attention[position];
    mass[static_cast<size_t>(after - sentences.begin() - 1)] += weight;
    total += weight;
  }
  if (total <= 0) return std::nullopt;
  const size_t best = static_cast<size_t>(std::max_element(mass.begin(), mass.end()) - mass.begin());
  Evidence evidence;
  evidence.start = CodePointOffset(text, sentences[best].begin);
  evidence.end = CodePointOffset(text, sentences[best].end);
  evidence.weight = static_cast<float>(mass[best] / total);
  return evidence;
}

}  // namespace radlabel
