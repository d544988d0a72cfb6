#include "cli/input_scan.h"

#include <openssl/evp.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"

namespace radlabel {

std::string SourceFingerprint(absl::string_view id, absl::string_view text) {
  std::string message;
  message.reserve(id.size() + 1 + text.size());
  // The NUL between them: ("ab", "c") differs from ("a", "bc").
  message.append(id.data(), id.size()).push_back('\0');
  message.append(text.data(), text.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(message.data(), message.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 16));
}

absl::StatusOr<InputScan> ScanInput(const std::string& path, ReportFormat format,
                                    const ReportColumns& columns) {
  auto reader = OpenReportReader(path, format, columns);
  if (!reader.ok()) return reader.status();
  InputScan scan;
  absl::flat_hash_set<std::string> repeated;
  while (true) {
    auto record = (*reader)->Next();
    if (!record.ok()) return record.status();
    if (!record->has_value()) return scan;
    const absl::StatusOr<v1::Report>& report = (*record)->report;
    if (!report.ok()) continue;
    ++scan.reports;
    const std::string source = SourceFingerprint(report->id(), report->text());
    if (!scan.sources.try_emplace(report->id(), source).second &&
        repeated.insert(report->id()).second) {
      scan.repeated_ids.push_back(report->id());
    }
  }
}

}  // namespace radlabel
