#include "model/bundle.h"

#include <sys/stat.h>


#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/file_contents.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "common/sha256.h"

namespace radlabel {
namespace {

constexpr char kBundleHelp[] =
    "a bundle holds model.pt, vocab.txt, labels.json and MANIFEST.sha256 (docs/model-bundle.md)";

// Parses `sha256sum` output: "<64 hex digits> <space or *><file name>" per line.
absl::StatusOr<absl::flat_hash_map<std::string, std::string>> ParseManifest(
    const std::string& path, const std::string& text) {
  absl::flat_hash_map<std::string, std::string> digests;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.size() < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " line ", line_number,
          " is not '<sha256 hex>  <file>'; regenerate it with "
          "`sha256sum model.pt vocab.txt labels.json > MANIFEST.sha256`"));
    }
    digests[std::string(line.substr(66))] = absl::AsciiStrToLower(line.substr(0, 64));
  }
  return digests;
}

absl::Status VerifyManifest(const ModelBundle& bundle, const std::string& manifest_text) {
  RADLABEL_ASSIGN_OR_RETURN(const auto digests,
                            ParseManifest(bundle.path(kManifestFile), manifest_text));
  for (const char* file : {kModelFile, kVocabFile, kLabelsFile}) {
    const auto it = digests.find(file);
    if (it == digests.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          bundle.path(kManifestFile), " does not list ", file,
          "; regenerate it with `sha256sum model.pt vocab.txt labels.json > MANIFEST.sha256`"));
    }
    RADLABEL_ASSIGN_OR_RETURN(const std::string actual, Sha256HexOfFile(bundle.path(file)));
    if (actual != it->second) {
      return absl::DataLossError(absl::StrCat(
          bundle.path(file), " has SHA-256 ", actual, " but ", kManifestFile, " says ", it->second,
          ": the file is corrupt or was changed without regenerating the manifest"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateBundleConfig(const v1::BundleConfig& config) {
  auto invalid = [](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat("labels.json: ", parts...));
  };
  if (config.classes_size() < 2) {
    return invalid("'classes' lists ", config.classes_size(),
                   " classes; list at least two, e.g. [\"negative\", \"positive\", \"uncertain\"]");
  }
  absl::flat_hash_set<std::string> classes;
  for (const std::string& c : config.classes()) {
    if (c.empty() || !classes.insert(c).second) {
      return invalid("class '", c, "' is empty or listed twice; class names must be unique");
    }
  }
  if (!classes.contains(config.positive_class())) {
    return invalid("'positive_class' is '", config.positive_class(),
                   "', which is not one of 'classes'");
  }
  if (config.labels_size() == 0) return invalid("'labels' is empty; list the model's labels");
  absl::flat_hash_set<std::string> labels;
  for (const v1::BundleLabel& label : config.labels()) {
    if (label.name().empty() || !labels.insert(label.name()).second) {
      return invalid("label '", label.name(), "' is empty or listed twice; names must be unique");
    }
    if (!(label.threshold() >= 0.0f && label.threshold() <= 1.0f)) {
      return invalid("label '", label.name(), "' has threshold ", label.threshold(),
                     "; thresholds are probabilities in [0, 1]");
    }
  }
  if (config.max_tokens() < 3 || config.max_tokens() > 65536) {
    return invalid("'max_tokens' is ", config.max_tokens(),
                   "; it is the model window including [CLS] and [SEP], between 3 and 65536");
  }
  if (config.chunk_overlap() < 0 || config.chunk_overlap() >= config.max_tokens() - 2) {
    return invalid("'chunk_overlap' is ", config.chunk_overlap(), "; it must be in [0, ",
                   config.max_tokens() - 2, ") for max_tokens ", config.max_tokens());
  }
  if (config.max_input_chars_per_word() < 1) {
    return invalid("'max_input_chars_per_word' is ", config.max_input_chars_per_word(),
                   "; set it to at least 1 (BERT uses 100)");
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelBundle> LoadModelBundle(const std::string& directory) {
  ModelBundle bundle;
  bundle.directory = std::string(absl::StripSuffix(directory, "/"));
  struct stat info;
  if (stat(bundle.directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("model bundle ", directory, " is not a directory; ", kBundleHelp));
  }
  for (const char* file : {kModelFile, kVocabFile, kLabelsFile, kManifestFile}) {
    if (stat(bundle.path(file).c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      return absl::NotFoundError(absl::StrCat("model bundle ", bundle.directory, " is missing ",
                                              file, "; ", kBundleHelp));
    }
  }
  RADLABEL_ASSIGN_OR_RETURN(const std::string manifest, ReadFileContents(bundle.path(kManifestFile), "bundle manifest"));
  RADLABEL_RETURN_IF_ERROR(VerifyManifest(bundle, manifest));
  bundle.checksum = Sha256Hex(manifest);

  RADLABEL_ASSIGN_OR_RETURN(const std::string labels_json, ReadFileContents(bundle.path(kLabelsFile), "bundle labels"));
  const auto parsed = google::protobuf::util::JsonStringToMessage(labels_json, &bundle.config);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        bundle.path(kLabelsFile), " is not a valid bundle config: ", parsed.message().as_string(),
        " (schema: proto/radlabel/v1/bundle.proto)"));
  }
  const absl::Status valid = ValidateBundleConfig(bundle.config);
  if (!valid.ok()) {
    return absl::Status(valid.code(), absl::StrCat(bundle.directory, "/", valid.message()));
  }
  for (int i = 0; i < bundle.config.classes_size(); ++i) {
    if (bundle.config.classes(i) == bundle.config.positive_class()) bundle.positive_class = i;
  }
  return bundle;
}

WindowOptions BundleWindowOptions(const ModelBundle& bundle, const WordPieceTokenizer& tokenizer) {
  return {bundle.config.max_tokens(), bundle.config.chunk_overlap(), tokenizer.cls_id(),
          tokenizer.sep_id()};
}

absl::StatusOr<WordPieceTokenizer> LoadBundleTokenizer(const ModelBundle& bundle) {
  TokenizerOptions options;
  options.do_lower_case = bundle.config.do_lower_case();
  options.max_input_chars_per_word = bundle.config.max_input_chars_per_word();
  options.line_breaks_end_sentences = bundle.config.line_breaks_end_sentences();
  return WordPieceTokenizer::FromVocabFile(bundle.path(kVocabFile), options);
}

}  // namespace radlabel
