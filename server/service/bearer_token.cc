#include "service/bearer_token.h"

#include <openssl/crypto.h>

#include "absl/strings/match.h"
#include "common/file_contents.h"
#include "common/sha256.h"

namespace radlabel {

absl::StatusOr<BearerTokenCheck> BearerTokenCheck::FromFile(const std::string& path) {
  absl::StatusOr<std::string> token = ReadTokenFile(path, "--auth_token_file");
  if (!token.ok()) return token.status();
  return BearerTokenCheck(Sha256Hex(*token));
}

absl::Status BearerTokenCheck::Check(absl::string_view authorization) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (absl::StartsWith(authorization, kBearer) &&
      // Digests of equal length, compared by OpenSSL in time independent of their contents.
      CRYPTO_memcmp(Sha256Hex(authorization.substr(kBearer.size())).data(), token_digest_.data(),
                    token_digest_.size()) == 0) {
    return absl::OkStatus();
  }
  return absl::UnauthenticatedError(
      "missing or wrong bearer token: send 'authorization: Bearer <token>' as gRPC metadata or "
      "HTTP header (radlabel --auth_token_file, ClientOptions::auth_token)");
}

}  // namespace radlabel
