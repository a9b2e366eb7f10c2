// A minimal XMPP client for the federation tests: STARTTLS, SASL PLAIN (password) or
// EXTERNAL (client certificate), resource binding, presence, messages. Blocking, every read
// bounded by a deadline; failures throw std::runtime_error with what the server sent.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <string>

namespace xmppcert::testing {

struct XmppLogin {
  std::string jid;                  // bare: user@domain
  std::string password;             // SASL PLAIN when set
  std::string cert_file, key_file;  // SASL EXTERNAL when set (the TLS client certificate)
};

class XmppTestClient {
 public:
  XmppTestClient(const std::string& host, int port, const XmppLogin& login,
                 std::chrono::seconds timeout = std::chrono::seconds(10));
  ~XmppTestClient();
  XmppTestClient(const XmppTestClient&) = delete;
  XmppTestClient& operator=(const XmppTestClient&) = delete;

  void send_chat(const std::string& to, const std::string& body);
  // Waits until `text` arrives after what earlier waits consumed; false after `timeout`.
  bool wait_for(const std::string& text, std::chrono::seconds timeout);
  const std::string& received() const { return buffer_; }

 private:
  void log_in(const std::string& host, int port, const XmppLogin& login,
              std::chrono::seconds timeout);
  void close();
  void write(const std::string& data);
  bool read_more(std::chrono::steady_clock::time_point deadline);
  void expect(const std::string& text, std::chrono::seconds timeout, const std::string& step);
  void open_stream();

  std::string domain_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  size_t mark_ = 0;
  bool logged_in_ = false;
};

}  // namespace xmppcert::testing
