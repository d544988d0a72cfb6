#include "common/file_contents.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace radlabel {

absl::StatusOr<std::string> ReadFileContents(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  if (in) contents << in.rdbuf();
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, " (", what, "); check the path and its permissions"));
  }
  return contents.str();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path, absl::string_view what) {
  absl::StatusOr<std::string> contents = ReadFileContents(path, what);
  if (!contents.ok()) return contents.status();
  const absl::string_view token = absl::StripAsciiWhitespace(*contents);
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " (", what, ") holds no token; write the token into it"));
  }
  return std::string(token);
}

}  // namespace radlabel
