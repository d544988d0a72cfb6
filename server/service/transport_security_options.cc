#include "service/transport_security_options.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/file_contents.h"

namespace radlabel {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of the PEM file `path` (given as `flag`).
absl::StatusOr<std::unique_ptr<X509, X509Free>> ReadCertificate(const std::string& path,
                                                                const std::string& flag) {
  absl::StatusOr<std::string> pem = ReadFileContents(path, flag);
  if (!pem.ok()) return pem.status();
  std::unique_ptr<X509, X509Free> certificate(
      PEM_read_bio_X509(MemoryBio(*pem).get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (certificate == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path, " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\"); pass the "
        "certificate file, not a key or a DER file"));
  }
  return certificate;
}

}  // namespace

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

absl::Status TransportSecurityOptions::CheckFiles() const {
  if (absl::Status valid = Validate(); !valid.ok() || !tls()) return valid;
  absl::StatusOr<std::unique_ptr<X509, X509Free>> certificate =
      ReadCertificate(tls_cert_file, "--tls_cert");
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> key_pem = ReadFileContents(tls_key_file, "--tls_key");
  if (!key_pem.ok()) return key_pem.status();
  // No passphrase callback may prompt on the terminal: an encrypted key is refused below.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return -1; };
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(MemoryBio(*key_pem).get(), nullptr, no_passphrase, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_key ", tls_key_file, " holds no unencrypted PEM private key; pass the key file "
        "(a passphrase-protected key must be decrypted first: openssl pkey -in KEY -out KEY.pem)"));
  }
  if (X509_check_private_key(certificate->get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_key ", tls_key_file, " is not the private key of the certificate in --tls_cert ",
        tls_cert_file, "; pass the key the certificate was issued for"));
  }
  if (!tls_client_ca_file.empty()) {
    absl::StatusOr<std::unique_ptr<X509, X509Free>> ca =
        ReadCertificate(tls_client_ca_file, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
  }
  return absl::OkStatus();
}

}  // namespace radlabel
