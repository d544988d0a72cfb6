#include "service/transport_security.h"

#include <grpcpp/security/server_credentials.h>
#include <openssl/crypto.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_contents.h"
#include "common/sha256.h"

namespace radlabel {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TransportSecurityOptions& options) {
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (!tls) {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca needs --tls_cert and --tls_key: mutual TLS is TLS with client certificates");
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  auto cert = ReadFileContents(options.tls_cert_file, "--tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadFileContents(options.tls_key_file, "--tls_key");
  if (!key.ok()) return key.status();
  pair.cert_chain = *std::move(cert);
  pair.private_key = *std::move(key);
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls_client_ca_file.empty()) {
    auto ca = ReadFileContents(options.tls_client_ca_file, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca);
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

absl::StatusOr<BearerTokenCheck> BearerTokenCheck::FromFile(const std::string& path) {
  absl::StatusOr<std::string> token = ReadTokenFile(path, "--auth_token_file");
  if (!token.ok()) return token.status();
  return BearerTokenCheck(Sha256Hex(*token));
}

absl::Status BearerTokenCheck::Check(const grpc::CallbackServerContext& context) const {
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find("authorization");
  constexpr absl::string_view kBearer = "Bearer ";
  if (found != metadata.end()) {
    const absl::string_view value(found->second.data(), found->second.size());
    if (absl::StartsWith(value, kBearer) &&
        // Digests of equal length, compared by OpenSSL in time independent of their contents.
        CRYPTO_memcmp(Sha256Hex(value.substr(kBearer.size())).data(), token_digest_.data(),
                      token_digest_.size()) == 0) {
      return absl::OkStatus();
    }
  }
  return absl::UnauthenticatedError(
      "missing or wrong bearer token: send the metadata 'authorization: Bearer <token>' "
      "(radlabel --auth_token_file, ClientOptions::auth_token)");
}

}  // namespace radlabel
