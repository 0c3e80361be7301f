// Who is looking at a page. Users hold bearer tokens only (`qgrant user add`); signing in puts
// the token in an HttpOnly, SameSite=Strict cookie `qgrant_session`, out of reach of scripts,
// and every page call to the API sends it as `Authorization: Bearer`. Forms carry a CSRF token:
// HMAC-SHA256 of the session under a key drawn at start, so it changes with each sign-in and
// each restart, and a forged POST from another site cannot know it. The language is the
// `qgrant_lang` cookie (zh by default).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/auth.h"
#include "server/http_message.h"

namespace qgrant::web {

inline constexpr std::string_view kSessionCookie = "qgrant_session";
inline constexpr std::string_view kLangCookie = "qgrant_lang";

// The value of cookie `name` in the request's Cookie headers, or nullopt.
std::optional<std::string> CookieValue(const server::Request& request, std::string_view name);

// Whether the browser reached us over HTTPS: the service speaks plain HTTP behind a TLS-terminating
// proxy, which says so in X-Forwarded-Proto. A client that forges it only makes its own cookies
// Secure, which its plain-HTTP requests then do not send back.
bool OverHttps(const server::Request& request);

// A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/, and Secure when `secure` (OverHttps).
// Empty `value`: clears the cookie.
std::string SessionCookie(std::string_view value, bool secure = false);
std::string LangCookie(bool en, bool secure = false);

// The per-process key of the CSRF tokens (random, drawn once).
class CsrfKey {
 public:
  CsrfKey();
  // The token of a session: hex HMAC-SHA256(key, session).
  std::string TokenFor(std::string_view session) const;
  // Whether `token` is the session's token (constant time).
  bool Valid(std::string_view session, std::string_view token) const;

 private:
  std::string key_;
};

// One page request as the pages see it: the request, the signed-in user (if the session cookie
// holds a valid token), the token itself (for the API calls), the language and the form token.
struct Visit {
  const server::Request& request;
  std::optional<server::User> user;
  std::string token;
  bool en = false;
  std::string csrf;  // the hidden field every POST form carries; empty when signed out

  const char* T(const char* zh, const char* english) const { return en ? english : zh; }
  bool Is(server::Role role) const { return user && user->role == role; }
  bool Staff() const { return user && user->role != server::Role::kApplicant; }
};

Visit ReadVisit(const server::Request& request, const server::Authenticator* auth, const CsrfKey& key);

}  // namespace qgrant::web
