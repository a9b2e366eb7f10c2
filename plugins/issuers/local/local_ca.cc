#include "plugins/issuers/local/local_ca.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>

#include "engine/certificate.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/x509_build.h"

namespace xmppcert {
namespace {

constexpr long kRootLifetimeSeconds = 10L * 365 * 86400 + 2 * 86400;
constexpr long kBackdateSeconds = 60;  // tolerate peers whose clock is a little behind

// The host name and a random tag: two local CAs (two state dirs, two machines of the same
// name) never share a subject, so that chain building and people can tell them apart.
std::string root_subject_cn() {
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  unsigned char tag[4];
  if (RAND_bytes(tag, sizeof tag) != 1)
    throw_operation_error("generate", "local CA name", openssl_error_text());
  std::string id = hex_encode(std::string_view(reinterpret_cast<char*>(tag), sizeof tag));
  return std::string("xmppcert local CA (") + host + ") " + id;
}

}  // namespace

LocalCa::LocalCa(std::filesystem::path dir) : dir_(std::move(dir)) {}

void LocalCa::load_or_create_root() {
  if (root_) return;
  auto key_path = dir_ / "root.key";
  auto cert_path = dir_ / "root.pem";
  if (::access(cert_path.c_str(), F_OK) == 0) {
    key_ = load_private_key(read_file(key_path), key_path.string());
    root_ = parse_certificate(read_file(cert_path), cert_path.string());
    return;
  }
  create_directories(dir_, 0700);
  PKeyPtr key = generate_private_key(KeyType::kEcP384);
  X509Ptr root(X509_new());
  X509_set_version(root.get(), 2);
  set_random_serial(root.get());
  X509_NAME* name = X509_get_subject_name(root.get());
  std::string cn = root_subject_cn();
  add_name_entry(name, "O", "xmppcert");
  add_name_entry(name, "CN", cn);
  X509_set_issuer_name(root.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(root.get()), -kBackdateSeconds);
  X509_gmtime_adj(X509_getm_notAfter(root.get()), kRootLifetimeSeconds);
  X509_set_pubkey(root.get(), key.get());
  add_extension(root.get(), root.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(root.get(), root.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(root.get(), root.get(), NID_subject_key_identifier, "hash");
  if (!X509_sign(root.get(), key.get(), EVP_sha384()))
    throw_operation_error("sign local CA root in", dir_.string(), openssl_error_text());
  // Key first: a root.pem without its key would be unusable, the other way round is redone.
  write_file_atomically(key_path, private_key_pem(key.get()), with_mode(kPrivateKeyMode));
  write_file_atomically(cert_path, certificate_pem(root.get()), with_mode(0644));
  key_ = std::move(key);
  root_ = std::move(root);
}

PreflightChecks LocalCa::preflight() const {
  if (::access((dir_ / "root.pem").c_str(), F_OK) != 0)
    return {check_writable_directory("local CA folder creatable: " + dir_.string(), dir_)};
  return {check_readable_file("local CA root readable: " + (dir_ / "root.pem").string(),
                              dir_ / "root.pem"),
          check_readable_file("local CA key readable: " + (dir_ / "root.key").string(),
                              dir_ / "root.key")};
}

std::string LocalCa::root_pem() {
  load_or_create_root();
  return certificate_pem(root_.get());
}

IssuedCertificate LocalCa::issue(const IssuanceRequest& request) {
  load_or_create_root();
  X509_REQ* csr = request.csr;
  EVP_PKEY* public_key = X509_REQ_get0_pubkey(csr);
  if (!public_key || X509_REQ_verify(csr, public_key) != 1)
    throw_operation_error("verify CSR for", request.name, openssl_error_text());

  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(csr));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(root_.get()));
  // Backdated for clock skew, but by at most a tenth of the lifetime: a short-lived
  // certificate must not be due for renewal the moment it is issued.
  X509_gmtime_adj(
      X509_getm_notBefore(cert.get()),
      -std::min<long>(kBackdateSeconds, static_cast<long>(request.validity.count()) / 10));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(request.validity.count()));
  X509_set_pubkey(cert.get(), public_key);

  add_extension(cert.get(), root_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), root_.get(), NID_key_usage,
                EVP_PKEY_is_a(public_key, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                                 : "critical,digitalSignature");
  add_extension(cert.get(), root_.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(cert.get(), root_.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), root_.get(), NID_authority_key_identifier, "keyid:always");

  // The SANs exactly as requested, otherNames included.
  STACK_OF(X509_EXTENSION)* requested = X509_REQ_get_extensions(csr);
  bool has_san = false;
  for (int i = 0; i < sk_X509_EXTENSION_num(requested); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(requested, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name) {
      X509_add_ext(cert.get(), ext, -1);
      has_san = true;
    }
  }
  sk_X509_EXTENSION_pop_free(requested, X509_EXTENSION_free);
  if (!has_san)
    throw_operation_error("sign CSR for", request.name, "the CSR requests no subjectAltName");

  if (!X509_sign(cert.get(), key_.get(), EVP_sha384()))
    throw_operation_error("sign certificate for", request.name, openssl_error_text());
  IssuedCertificate issued;
  issued.cert_pem = certificate_pem(cert.get());
  issued.chain_pem = certificate_pem(root_.get());
  issued.root_pem = issued.chain_pem;  // the chain is the root alone
  return issued;
}

}  // namespace xmppcert
