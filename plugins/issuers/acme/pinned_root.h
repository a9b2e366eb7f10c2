// The foundation CA's root, pinned by the admin's "root_sha256": fetched once from the CA
// (its /root.pem, beside the directory), accepted only when its SHA-256 matches, and kept in
// the account folder. It is then the only trust for the CA's HTTPS, and the root handed to
// the server plugins with each certificate ("trust_anchor": "foundation").
#pragma once

#include <filesystem>
#include <string>

#include "plugins/issuers/acme/settings.h"

namespace xmppcert::acme {

// "AB:CD:..." or "abcd..." (64 hex digits, colons anywhere): the lowercase digits, or a
// UsageError naming `where`.
std::string normalized_sha256(const std::string& text, const std::string& where);

// Where the root is fetched from: settings.root_url, or the directory URL with its last path
// segment replaced by "root.pem" (xmppcert-ca serves https://H:P/directory and /root.pem).
std::string root_url_for(const AcmeSettings& settings);

// The pinned root's file in `account_dir` (root.pem): when it is there and matches the pin,
// as it is; otherwise fetched from root_url_for(settings) over HTTPS without certificate
// checks (its digest is the check: the HTTPS certificate is signed by the root being fetched),
// checked (one self-signed CA certificate whose SHA-256 is settings.root_sha256) and written
// atomically. OperationError naming the URL and both digests on a mismatch.
// The same root's PEM, checked the same way, without writing anything (the dry run).
std::string pinned_root_pem(const AcmeSettings& settings, const std::filesystem::path& account_dir);

std::filesystem::path ensure_pinned_root(const AcmeSettings& settings,
                                         const std::filesystem::path& account_dir);

}  // namespace xmppcert::acme
