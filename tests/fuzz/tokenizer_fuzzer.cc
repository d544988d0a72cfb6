// libFuzzer target: the WordPiece tokenizer on arbitrary bytes (valid or not, NUL and control
// characters included) with the default bundle's vocabulary. It must not crash, and every token
// span must lie inside the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "model/bundle.h"
#include "text/tokenizer.h"

namespace {

const radlabel::WordPieceTokenizer& Tokenizer() {
  static const radlabel::WordPieceTokenizer* tokenizer = [] {
    auto bundle = radlabel::LoadModelBundle(RADLABEL_DEFAULT_BUNDLE);
    if (!bundle.ok()) std::abort();
    auto loaded = radlabel::LoadBundleTokenizer(*bundle);
    if (!loaded.ok()) std::abort();
    return new radlabel::WordPieceTokenizer(*std::move(loaded));
  }();
  return *tokenizer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<radlabel::TextSpan> spans;
  const std::vector<int32_t> ids = Tokenizer().Encode(text, &spans);
  if (spans.size() != ids.size()) std::abort();
  for (const radlabel::TextSpan& span : spans) {
    if (span.begin > span.end || span.end > size) std::abort();
  }
  for (int32_t id : ids) {
    if (id < 0 || id >= Tokenizer().vocab_size()) std::abort();
  }
  return 0;
}
