#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace radlabel {

// Lower-case hex SHA-256 of a byte string.
std::string Sha256Hex(absl::string_view data);

// Lower-case hex SHA-256 of a file's contents.
absl::StatusOr<std::string> Sha256HexOfFile(const std::string& path);

}  // namespace radlabel
