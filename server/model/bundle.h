// A model bundle: the directory that holds everything needed to serve one model.
//
//   model.pt         TorchScript: forward(input_ids int64 [B,T], attention_mask int64 [B,T])
//                    -> float32 [B, labels, classes] class probabilities (docs/model-bundle.md)
//   vocab.txt        WordPiece vocabulary, one token per line, id = line number
//   labels.json      BundleConfig (proto/radlabel/v1/bundle.proto) as JSON
//   MANIFEST.sha256  `sha256sum` output over the three files above
//
// LoadModelBundle checks all of it except model.pt's behaviour (LoadTorchModel probes that) and
// returns an error that names the file and the problem.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "radlabel/v1/bundle.pb.h"
#include "text/tokenizer.h"
#include "text/windows.h"

namespace radlabel {

inline constexpr char kModelFile[] = "model.pt";
inline constexpr char kVocabFile[] = "vocab.txt";
inline constexpr char kLabelsFile[] = "labels.json";
inline constexpr char kManifestFile[] = "MANIFEST.sha256";

struct ModelBundle {
  std::string directory;
  v1::BundleConfig config;
  // Index of config.positive_class in config.classes.
  int positive_class = 0;
  // SHA-256 (hex) of MANIFEST.sha256: identifies the exact bundle.
  std::string checksum;

  std::string path(const char* file) const { return directory + "/" + file; }
  int num_labels() const { return config.labels_size(); }
  int num_classes() const { return config.classes_size(); }
};

absl::StatusOr<ModelBundle> LoadModelBundle(const std::string& directory);

// The WordPiece tokenizer of the bundle: its vocab.txt with its labels.json settings.
absl::StatusOr<WordPieceTokenizer> LoadBundleTokenizer(const ModelBundle& bundle);

// How the bundle's model reads a long report: its window (max_tokens) and the windows' overlap
// (chunk_overlap), framed by `tokenizer`'s [CLS] and [SEP].
WindowOptions BundleWindowOptions(const ModelBundle& bundle, const WordPieceTokenizer& tokenizer);

// Checks a parsed labels.json; exposed for tests.
absl::Status ValidateBundleConfig(const v1::BundleConfig& config);

}  // namespace radlabel
