// JSON string literals, for the JSON lines the CLI and the server's log write.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace radlabel {

// `text` as a JSON string literal (RFC 8259 escaping), appended to `out`.
void AppendJsonString(absl::string_view text, std::string& out);

}  // namespace radlabel
