#include "service/transport_security_options.h"

namespace radlabel {

absl::Status TransportSecurityOptions::Validate() const {
  if (!tls()) {
    if (tls_client_ca_file.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "--tls_client_ca needs --tls_cert and --tls_key: mutual TLS is TLS with client certificates");
  }
  if (tls_cert_file.empty() || tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  return absl::OkStatus();
}

}  // namespace radlabel
