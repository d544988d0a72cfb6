// The bearer token every labelling call must carry, when the server is started with one. Free
// of any transport: the gRPC service passes the call's "authorization" metadata, the HTTP
// endpoint its Authorization header.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace radlabel {

// Checks "Bearer <token>" against the token read from a file (surrounding white space
// trimmed), in time that does not depend on where they differ.
class BearerTokenCheck {
 public:
  // The token in `path`; an error when the file cannot be read or holds no token.
  static absl::StatusOr<BearerTokenCheck> FromFile(const std::string& path);

  // OK when `authorization` (the value of the authorization metadata or header, empty when
  // none was sent) is "Bearer <token>"; otherwise UNAUTHENTICATED saying what to send.
  absl::Status Check(absl::string_view authorization) const;

 private:
  explicit BearerTokenCheck(std::string token_digest) : token_digest_(std::move(token_digest)) {}
  std::string token_digest_;  // hex SHA-256 of the token: digests have one length, leaking none
};

}  // namespace radlabel
