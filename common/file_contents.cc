#include "common/file_contents.h"

#include <fstream>
#include <sstream>

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

}  // namespace radlabel
