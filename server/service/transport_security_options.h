// Where the server's TLS certificate, key and client CA live; shared by the gRPC port
// (service/transport_security.h) and the HTTP port (http/http_endpoint.h). Free of gRPC.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace radlabel {

struct TransportSecurityOptions {
  // PEM server certificate chain and private key. Both empty (default): plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA bundle: when set, clients must present a certificate it signed (mutual TLS).
  // Needs tls_cert_file and tls_key_file.
  std::string tls_client_ca_file;

  bool tls() const { return !tls_cert_file.empty() || !tls_key_file.empty(); }
  // OK, or which flag is missing: TLS needs both files; a client CA needs TLS.
  absl::Status Validate() const;
  // Validate, then reads the files: OK, or which one cannot be read, holds no PEM certificate
  // or key, or (the key) is not the certificate's. Run at start-up, so that the server names
  // the cause instead of failing to listen.
  absl::Status CheckFiles() const;
};

}  // namespace radlabel
