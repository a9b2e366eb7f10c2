#include "ca/ca_keys.h"

#include <arpa/inet.h>
#include <openssl/obj_mac.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ca/token_keygen.h"
#include "engine/certificate.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/identity.h"
#include "engine/keys.h"
#include "engine/x509_build.h"

namespace xmppcert::ca {
namespace {

constexpr long kDay = 86400;
constexpr long kBackdate = 3600;

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

X509Ptr new_certificate(EVP_PKEY* subject_key, const std::string& cn, long lifetime) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name_entry(name, "O", "xmppcert foundation CA");
  add_name_entry(name, "CN", cn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdate);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), lifetime);
  X509_set_pubkey(cert.get(), subject_key);
  return cert;
}

std::string name_constraints(const InitOptions& options) {
  if (options.permitted_domains.empty()) return "";
  std::string value = "critical";
  auto permit = [&](const std::string& domain) { value += ",permitted;DNS:" + domain; };
  for (const auto& domain : options.permitted_domains) permit(domain);
  if (!is_ip_literal(options.hostname)) permit(options.hostname);
  return value;
}

void sign(X509* cert, EVP_PKEY* key, const char* what) {
  if (!X509_sign(cert, key, EVP_sha384()))
    throw_operation_error("sign", what, openssl_error_text());
}

struct NewKeys {
  std::shared_ptr<KeyToken> token;
  PKeyPtr root, intermediate, https;
};

// In memory, written to files by init_ca; or made in the token, of which we keep handles.
NewKeys make_keys(const InitOptions& options) {
  NewKeys keys;
  if (!options.token) {
    keys.root = generate_private_key(KeyType::kEcP384);
    keys.intermediate = generate_private_key(KeyType::kEcP256);
    keys.https = generate_private_key(KeyType::kEcP256);
    return keys;
  }
  generate_token_keys(*options.token, {{kRootKeyLabel, NID_secp384r1},
                                       {kIntermediateKeyLabel, NID_X9_62_prime256v1},
                                       {kLogKeyLabel, NID_X9_62_prime256v1},
                                       {kHttpsKeyLabel, NID_X9_62_prime256v1}});
  keys.token = std::make_shared<KeyToken>(*options.token);
  keys.root = keys.token->private_key(kRootKeyLabel);
  keys.intermediate = keys.token->private_key(kIntermediateKeyLabel);
  keys.https = keys.token->private_key(kHttpsKeyLabel);
  return keys;
}

}  // namespace

std::filesystem::path https_key_path(const std::filesystem::path& dir) { return dir / "https.key"; }
std::filesystem::path https_cert_path(const std::filesystem::path& dir) {
  return dir / "https.pem";
}

void init_ca(const InitOptions& options) {
  const auto& dir = options.state_dir;
  if (::access((dir / "ca.json").c_str(), F_OK) == 0 ||
      ::access((dir / "root.pem").c_str(), F_OK) == 0)
    throw UsageError("init " + dir.string() + ": a CA already exists there (keys are kept)");
  if (options.hostname.empty()) throw UsageError("init: --hostname is required");
  std::vector<std::string> permitted;
  for (const auto& domain : options.permitted_domains)
    permitted.push_back(parse_domain(domain).ascii);
  InitOptions normalised = options;
  normalised.permitted_domains = permitted;
  create_directories(dir, 0700);
  NewKeys keys = make_keys(options);

  EVP_PKEY* root_key = keys.root.get();
  X509Ptr root =
      new_certificate(root_key, "xmppcert foundation root " + options.hostname, 20 * 365 * kDay);
  X509_set_issuer_name(root.get(), X509_get_subject_name(root.get()));
  add_extension(root.get(), root.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(root.get(), root.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(root.get(), root.get(), NID_subject_key_identifier, "hash");
  std::string constraints = name_constraints(normalised);
  if (!constraints.empty())
    add_extension(root.get(), root.get(), NID_name_constraints, constraints.c_str());
  sign(root.get(), root_key, "foundation root");

  EVP_PKEY* issuing_key = keys.intermediate.get();
  X509Ptr issuing = new_certificate(
      issuing_key, "xmppcert foundation issuing CA " + options.hostname, 5 * 365 * kDay);
  X509_set_issuer_name(issuing.get(), X509_get_subject_name(root.get()));
  add_extension(issuing.get(), root.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(issuing.get(), root.get(), NID_key_usage,
                "critical,digitalSignature,keyCertSign,cRLSign");
  add_extension(issuing.get(), root.get(), NID_subject_key_identifier, "hash");
  add_extension(issuing.get(), root.get(), NID_authority_key_identifier, "keyid:always");
  if (!constraints.empty())
    add_extension(issuing.get(), root.get(), NID_name_constraints, constraints.c_str());
  sign(issuing.get(), root_key, "foundation intermediate");

  EVP_PKEY* https_key = keys.https.get();
  X509Ptr https = new_certificate(https_key, options.hostname, 2 * 365 * kDay);
  X509_set_issuer_name(https.get(), X509_get_subject_name(root.get()));
  add_extension(https.get(), root.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(https.get(), root.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(https.get(), root.get(), NID_ext_key_usage, "serverAuth");
  add_extension(https.get(), root.get(), NID_authority_key_identifier, "keyid:always");
  std::string san = (is_ip_literal(options.hostname) ? "IP:" : "DNS:") + options.hostname;
  add_extension(https.get(), root.get(), NID_subject_alt_name, san.c_str());
  sign(https.get(), root_key, "HTTPS certificate");

  // Keys before certificates; ca.json last: it marks a complete CA.
  if (!keys.token) {
    auto key_mode = with_mode(kPrivateKeyMode);
    write_file_atomically(dir / "root.key", private_key_pem(root_key), key_mode);
    write_file_atomically(dir / "intermediate.key", private_key_pem(issuing_key), key_mode);
    write_file_atomically(https_key_path(dir), private_key_pem(https_key), key_mode);
  }
  write_file_atomically(dir / "root.pem", certificate_pem(root.get()), with_mode(0644));
  write_file_atomically(dir / "intermediate.pem", certificate_pem(issuing.get()), with_mode(0644));
  write_file_atomically(https_cert_path(dir), certificate_pem(https.get()), with_mode(0644));
  nlohmann::json meta{{"hostname", options.hostname}, {"permitted_domains", permitted}};
  if (options.token) meta["pkcs11"] = token_settings_json(*options.token);
  write_file_atomically(dir / "ca.json", meta.dump(2) + "\n", with_mode(0644));
}

IssuingCa load_issuing_ca(const std::filesystem::path& dir) {
  if (::access((dir / "ca.json").c_str(), F_OK) != 0)
    throw UsageError("load CA " + dir.string() + ": no CA there (run xmppcert-ca init)");
  nlohmann::json meta = nlohmann::json::parse(read_file(dir / "ca.json"), nullptr, false);
  if (!meta.is_object() || !meta.value("hostname", nlohmann::json()).is_string())
    throw UsageError("load CA " + (dir / "ca.json").string() + ": not a CA description");
  IssuingCa ca;
  ca.hostname = meta["hostname"];
  ca.permitted_domains = meta.value("permitted_domains", std::vector<std::string>{});
  if (meta.contains("pkcs11")) {
    ca.token = std::make_shared<KeyToken>(
        read_token_settings(meta["pkcs11"], (dir / "ca.json").string() + ": pkcs11"));
    ca.key = ca.token->private_key(kIntermediateKeyLabel);
    ca.log_key = ca.token->private_key(kLogKeyLabel);
    ca.https_key = ca.token->private_key(kHttpsKeyLabel);
  } else {
    ca.key =
        load_private_key(read_file(dir / "intermediate.key"), (dir / "intermediate.key").string());
  }
  ca.chain = read_file(dir / "intermediate.pem");
  ca.cert = parse_certificate(ca.chain, (dir / "intermediate.pem").string());
  ca.root = load_root_pem(dir);
  return ca;
}

std::string load_root_pem(const std::filesystem::path& dir) {
  if (::access((dir / "root.pem").c_str(), F_OK) != 0)
    throw UsageError("read root " + (dir / "root.pem").string() +
                     ": no CA there (run xmppcert-ca init)");
  return read_file(dir / "root.pem");
}

}  // namespace xmppcert::ca
