// Reading a whole small file (bundle metadata, PEM certificates, tokens, a job's output), with
// an error that names the file and what it was for.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace radlabel {

// The bytes of `path`; NOT_FOUND naming `path` and `what` (a flag, a role) when it cannot be
// read.
absl::StatusOr<std::string> ReadFileContents(const std::string& path, absl::string_view what);

// The secret in `path` (a bearer token file), surrounding white space trimmed; an error naming
// `path` and `what` when it cannot be read or holds nothing.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path, absl::string_view what);

}  // namespace radlabel
