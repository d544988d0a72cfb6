// A copy of the default model bundle in a fresh temporary directory, for tests that break a
// bundle in one way and check what the loader or the server says about it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "model/bundle.h"
#include "common/sha256.h"

namespace radlabel::testing {

inline const std::string kDefaultBundleDir = std::string(RADLABEL_SOURCE_DIR) + "/model/default";

class TempBundle {
 public:
  explicit TempBundle(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             ("radlabel_bundle_" + std::to_string(::getpid()) + "_" + name)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::copy(kDefaultBundleDir, dir_);
  }
  ~TempBundle() { std::filesystem::remove_all(dir_); }
  TempBundle(const TempBundle&) = delete;
  TempBundle& operator=(const TempBundle&) = delete;

  std::string path() const { return dir_.string(); }
  void Write(const std::string& file, const std::string& contents) const {
    std::ofstream(dir_ / file, std::ios::binary | std::ios::trunc) << contents;
  }
  void Remove(const std::string& file) const { std::filesystem::remove(dir_ / file); }
  // Rewrites MANIFEST.sha256 so that only the deliberate breakage remains.
  void RegenerateManifest() const {
    std::string manifest;
    for (const char* file : {kModelFile, kVocabFile, kLabelsFile}) {
      manifest += *Sha256HexOfFile((dir_ / file).string()) + "  " + file + "\n";
    }
    Write(kManifestFile, manifest);
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace radlabel::testing
