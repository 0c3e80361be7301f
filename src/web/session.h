// Who is looking at a page. Users hold bearer tokens (`qgrant user add`); signing in with one
// starts a session (server::SessionBook, kept in the store) whose random id is the
// `__Host-qg_session` cookie: Secure, HttpOnly, SameSite=Lax, Path=/, out of reach of scripts.
// The token itself never reaches the browser again, and signing out ends the session on the
// server. Pages call the API as the session's user (Request::caller). Every POST form carries a
// CSRF token derived from the session id (HMAC-SHA256 keyed by it), so it lasts as long as the
// session, across restarts; the sign-in form, which has no session yet, carries a random token
// that must match its own `__Host-qg_signin` cookie. The language is the `qgrant_lang` cookie
// (zh by default).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/auth.h"
#include "server/http_message.h"

namespace qgrant::web {

inline constexpr std::string_view kSessionCookie = "__Host-qg_session";
inline constexpr std::string_view kSignInCookie = "__Host-qg_signin";
inline constexpr std::string_view kLangCookie = "qgrant_lang";

// The value of cookie `name` in the request's Cookie headers; nullopt when absent or given more
// than once.
std::optional<std::string> CookieValue(const server::Request& request, std::string_view name);

// Whether the browser reached us over HTTPS: the service speaks plain HTTP behind a TLS-terminating
// proxy, which says so in X-Forwarded-Proto. A client that forges it only makes its own cookies
// Secure, which its plain-HTTP requests then do not send back.
bool OverHttps(const server::Request& request);

// Set-Cookie values. The `__Host-` cookies are always Secure, as their prefix requires (browsers
// treat http://localhost and 127.0.0.1 as secure, so trying the service locally works); an
// empty `value` clears the cookie.
std::string SessionCookie(std::string_view value);
std::string SignInCookie(std::string_view value);
// Clears the cookie that held the bearer token itself before sessions were kept in the store.
std::string LegacySessionCookieCleared();
std::string LangCookie(bool en, bool secure = false);

// The CSRF token of a session: hex HMAC-SHA256 keyed by the session id. Nobody without the id can
// make it, and it does not reveal the id.
std::string CsrfTokenOf(std::string_view session);
// Whether `token` is the CSRF token of `session` (constant time; never for an empty session).
bool ValidCsrf(std::string_view session, std::string_view token);
// A fresh random token (32 hex digits), for the sign-in form.
std::string RandomHex();

// One page request as the pages see it: the request, the signed-in user (if the session cookie
// names a live session), the session id, the language and the form token.
struct Visit {
  const server::Request& request;
  std::optional<server::User> user;
  std::string session;          // the live session's id; empty when signed out
  std::string session_expires;  // when it ends (RFC 3339, +08:00)
  bool en = false;
  std::string csrf;  // the hidden field every POST form carries; empty when signed out

  const char* T(const char* zh, const char* english) const { return en ? english : zh; }
  bool Is(server::Role role) const { return user && user->role == role; }
  bool Staff() const { return user && user->role != server::Role::kApplicant; }
};

Visit ReadVisit(const server::Request& request, const server::SessionBook* sessions);

}  // namespace qgrant::web
