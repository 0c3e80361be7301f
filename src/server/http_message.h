// Request and Response as handlers see them: plain values, no Beast types, so that handlers,
// the router and their tests compile without the HTTP library. The session (http_server.cc)
// converts to and from the wire.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qgrant::server {

struct User;

struct Request {
  std::string method;  // "GET", "POST", ... as sent (methods are case-sensitive, RFC 9110)
  std::string target;  // path and query as sent
  // Filled by the router from `target`:
  std::string path;                                          // the path as sent, without the query
  std::vector<std::string> segments;                         // the path's segments, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order, repeats kept
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  // Set only in process, by a page calling the API for its signed-in visitor (web/api_call.h):
  // the caller, already authenticated by the page's session. The wire never fills it.
  const User* caller = nullptr;

  // The value of a header (first occurrence), or nullptr when absent. `name` in lower case.
  const std::string* Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, Retry-After)

  static Response Json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

}  // namespace qgrant::server
