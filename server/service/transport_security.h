// Who may call the service: TLS or mutual TLS on the listening port, and a bearer token checked
// on every radlabel.v1.Labeller call. The gRPC health service is outside the token check, so
// that orchestrator probes (which send no token) still reach it; with mutual TLS probes need a
// client certificate too (or a separate plaintext port in front: see docs/server.md, "Security").
#pragma once

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace radlabel {

struct TransportSecurityOptions {
  // PEM server certificate chain and private key. Both empty (default): plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA bundle: when set, clients must present a certificate it signed (mutual TLS).
  // Needs tls_cert_file and tls_key_file.
  std::string tls_client_ca_file;
};

// Plaintext, TLS or mutual-TLS credentials for the listening port. Errors name the file or the
// flag to fix.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TransportSecurityOptions& options);

// Checks the "authorization: Bearer <token>" metadata of a call against the token read from a
// file (surrounding white space trimmed), in time that does not depend on where they differ.
class BearerTokenCheck {
 public:
  // The token in `path`; an error when the file cannot be read or holds no token.
  static absl::StatusOr<BearerTokenCheck> FromFile(const std::string& path);

  // OK, or UNAUTHENTICATED saying what to send.
  absl::Status Check(const grpc::CallbackServerContext& context) const;

 private:
  explicit BearerTokenCheck(std::string token_digest) : token_digest_(std::move(token_digest)) {}
  std::string token_digest_;  // hex SHA-256 of the token: digests have one length, leaking none
};

}  // namespace radlabel
