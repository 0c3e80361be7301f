// A plain HTTP client for the server tests (Beast's synchronous API), and a raw socket for
// requests no well-behaved client would send. Both talk to 127.0.0.1.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace qgrant::server::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection closed or timed out)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
};

// One request on a fresh connection.
HttpAnswer Fetch(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
                 const std::vector<std::pair<std::string, std::string>>& headers = {});

// A connection kept open across requests (keep-alive).
class Connection {
 public:
  explicit Connection(uint16_t port);
  ~Connection();
  HttpAnswer Send(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Writes raw bytes; false when the server has closed the connection.
  bool Write(const std::string& bytes);
  // Reads one answer (status 0 if the server closed the connection or `timeout` passed).
  HttpAnswer Read(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace qgrant::server::testing
