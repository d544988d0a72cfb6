// The pass over a `radlabel label` input file before any report is sent: how many reports it
// holds, whether any id repeats, and what each report is (its source fingerprint), so that a
// resumed job can tell its own output from another job's and a changed text from a done one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/report_reader.h"

namespace radlabel {

// What a result was labelled from: the first 16 bytes of SHA-256 over the id, a NUL and the
// text, in lower-case hex (32 characters). The CLI writes it beside every result
// (source_sha256).
std::string SourceFingerprint(absl::string_view id, absl::string_view text);

struct InputScan {
  int64_t reports = 0;                                       // readable records
  absl::flat_hash_map<std::string, std::string> sources;     // id -> SourceFingerprint (its first report's)
  std::vector<std::string> repeated_ids;                     // ids on more than one record, once each
};

absl::StatusOr<InputScan> ScanInput(const std::string& path, ReportFormat format,
                                    const ReportColumns& columns);

}  // namespace radlabel
