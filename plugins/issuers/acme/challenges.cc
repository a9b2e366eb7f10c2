#include "plugins/issuers/acme/challenges.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/command_runner.h"
#include "engine/dns_update.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/safe_open.h"
#include "plugins/issuers/acme/ca_input.h"
#include "plugins/issuers/acme/http01_request.h"

namespace xmppcert::acme {
Http01Responder::Http01Responder(const std::string& address, int port)
    : listener_(std::make_unique<ChallengeListener>("http-01", address, port,
                                                    [this](int client) { answer(client); })) {}

Http01Responder::~Http01Responder() { listener_.reset(); }

void Http01Responder::answer(int client) {
  // One request per connection, at most 8 KiB; ChallengeListener bounds the connection.
  std::string request;
  char buffer[2048];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kHttp01RequestLimit) {
    ssize_t n = ::read(client, buffer, sizeof buffer);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
  }
  std::string body;
  int status = 404;
  if (auto token = http01_token_of(request)) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = answers_.find(*token);
    if (it != answers_.end()) {
      status = 200;
      body = it->second;
    }
  }
  std::string response =
      "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
      "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  (void)!::send(client, response.data(), response.size(), MSG_NOSIGNAL);
}

void Http01Responder::present(const std::string&, const std::string& token,
                              const std::string& key_authorization) {
  std::lock_guard<std::mutex> lock(mutex_);
  answers_[token] = key_authorization;
}

void Http01Responder::cleanup(const std::string&, const std::string& token, const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  answers_.erase(token);
}

// The token names a file root writes and deletes: never '/', "..", or anything but
// base64url, whatever the CA sent (issue 12 #1).
// The webroot belongs to the web server's user, who may plant a symlink at .well-known or
// acme-challenge to aim root's writes and deletes elsewhere: both levels must be real
// folders, checked before and after they are created, and the file is written through one
// O_NOFOLLOW descriptor of its folder (Folder::untrusted).
namespace {

// Deletes, in the folder `dir` (opened without following a symlink), each regular file named
// like a challenge token whose content is "NAME.THUMBPRINT" (a key authorization under our
// account key) and that `keep` does not list. Best effort: what cannot be read stays.
void remove_stale_tokens(const fs::path& dir, const std::string& thumbprint,
                         const std::set<std::string>& keep) {
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) return;
  int list_fd = ::dup(dir_fd);
  DIR* listing = list_fd < 0 ? nullptr : ::fdopendir(list_fd);
  if (!listing) {
    if (list_fd >= 0) ::close(list_fd);
    ::close(dir_fd);
    return;
  }
  std::vector<std::string> stale;
  while (struct dirent* entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (!is_challenge_token(name) || keep.contains(name)) continue;
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;  // a symlink (ELOOP) or gone
    try {
      if (read_regular_fd(fd, dir / name, 4096) == name + "." + thumbprint) stale.push_back(name);
    } catch (const std::exception&) {  // not a regular file, or too big: not ours
    }
    ::close(fd);
  }
  ::closedir(listing);
  for (const auto& name : stale) ::unlinkat(dir_fd, name.c_str(), 0);
  ::close(dir_fd);
}

}  // namespace

void WebrootWriter::present(const std::string&, const std::string& token,
                            const std::string& key_authorization) {
  require_challenge_token(token, "webroot " + webroot_);
  fs::path well_known = fs::path(webroot_) / ".well-known";
  fs::path dir = well_known / "acme-challenge";
  require_real_directory(well_known, "webroot");
  require_real_directory(dir, "webroot");
  create_directories(dir, 0755);
  require_real_directory(well_known, "webroot");
  presented_.insert(token);
  if (key_authorization.starts_with(token + "."))
    remove_stale_tokens(dir, key_authorization.substr(token.size() + 1), presented_);
  write_file_atomically(dir / token, key_authorization, with_mode(0644), Folder::untrusted);
}

void WebrootWriter::cleanup(const std::string&, const std::string& token, const std::string&) {
  if (!is_challenge_token(token)) return;
  fs::path well_known = fs::path(webroot_) / ".well-known";
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(well_known, ec)) ||
      fs::is_symlink(fs::symlink_status(well_known / "acme-challenge", ec)))
    return;  // planted after present(): delete nothing through it
  fs::remove(well_known / "acme-challenge" / token, ec);
}

// The name goes into an nsupdate script: a newline in it would be a command of its own
// (issue 12 #5). The authorization checks it against the order; send_dns_update refuses
// line breaks as the last line.
void Rfc2136Update::update(const std::string& line) {
  send_dns_update({server_, port_, key_file_, ""}, {line}, commands_);
}

void Rfc2136Update::present(const std::string& domain, const std::string&,
                            const std::string& key_authorization) {
  require_dns_name(domain, "dns-01 for RFC 2136");
  update("update add _acme-challenge." + domain + ". 60 TXT \"" +
         Dns01Hook::txt_value(key_authorization) + "\"");
}

void Rfc2136Update::cleanup(const std::string& domain, const std::string&,
                            const std::string& key_authorization) {
  require_dns_name(domain, "dns-01 for RFC 2136");
  update("update delete _acme-challenge." + domain + ". TXT \"" +
         Dns01Hook::txt_value(key_authorization) + "\"");
}

std::string Dns01Hook::txt_value(const std::string& key_authorization) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(key_authorization.data(), key_authorization.size(), digest, &length, EVP_sha256(),
             nullptr);
  return base64url_encode(std::string(reinterpret_cast<char*>(digest), length));
}

void Dns01Hook::present(const std::string& domain, const std::string&,
                        const std::string& key_authorization) {
  require_dns_name(domain, "dns-01 hook");
  std::vector<std::string> argv = argv_;
  argv.insert(argv.end(), {"add", "_acme-challenge." + domain + ".", txt_value(key_authorization)});
  commands_.run_checked(argv, "dns-01 hook");
}

void Dns01Hook::cleanup(const std::string& domain, const std::string&,
                        const std::string& key_authorization) {
  require_dns_name(domain, "dns-01 hook");
  std::vector<std::string> argv = argv_;
  argv.insert(argv.end(), {"del", "_acme-challenge." + domain + ".", txt_value(key_authorization)});
  commands_.run_checked(argv, "dns-01 hook");
}

}  // namespace xmppcert::acme
