// TLS or mutual TLS on the gRPC listening port (the bearer token is service/bearer_token.h).
// With mutual TLS, orchestrator probes need a client certificate too (or a separate plaintext
// port in front: see docs/server.md, "Security").
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/transport_security_options.h"

namespace radlabel {

// Plaintext, TLS or mutual-TLS credentials for the listening port. Errors name the file or the
// flag to fix.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TransportSecurityOptions& options);

}  // namespace radlabel
