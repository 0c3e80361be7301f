#include "web/session.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace qgrant::web {

std::optional<std::string> CookieValue(const server::Request& request, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [header, value] : request.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      // Twice is once too many: a cookie planted beside ours (a sibling host's, or a nameless
      // one spelling our name) must not choose the session.
      if (found) return std::nullopt;
      found = std::string(pair.substr(eq + 1));
    }
  }
  return found;
}

bool OverHttps(const server::Request& request) {
  const std::string* proto = request.Header("x-forwarded-proto");
  if (proto == nullptr) return false;
  std::string_view first(*proto);
  first = first.substr(0, first.find(','));  // proxies in a chain append theirs: the first is the browser's
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  return first.size() == 5 && std::equal(first.begin(), first.end(), "https", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

namespace {

std::string HostCookie(std::string_view name, std::string_view value, std::string_view same_site, int64_t max_age) {
  return std::string(name) + "=" + std::string(value) +
         "; Path=/; Secure; HttpOnly; SameSite=" + std::string(same_site) +
         "; Max-Age=" + std::to_string(value.empty() ? 0 : max_age);
}

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string SessionCookie(std::string_view value) {
  return HostCookie(kSessionCookie, value, "Lax", server::SessionBook::kLifetimeSeconds);
}

std::string SignInCookie(std::string_view value) { return HostCookie(kSignInCookie, value, "Strict", 3600); }

std::string LegacySessionCookieCleared() { return "qgrant_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"; }

std::string LangCookie(bool en, bool secure) {
  // A preference, not a secret: still HttpOnly, since no script needs it.
  return std::string(kLangCookie) + "=" + (en ? "en" : "zh") + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000" +
         (secure ? "; Secure" : "");
}

std::string CsrfTokenOf(std::string_view session) {
  static constexpr std::string_view kPurpose = "qgrant form token";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), session.data(), static_cast<int>(session.size()),
       reinterpret_cast<const unsigned char*>(kPurpose.data()), kPurpose.size(), mac, &length);
  return Hex(mac, length);
}

bool ValidCsrf(std::string_view session, std::string_view token) {
  if (session.empty()) return false;
  const std::string expected = CsrfTokenOf(session);
  return token.size() == expected.size() && CRYPTO_memcmp(token.data(), expected.data(), token.size()) == 0;
}

std::string RandomHex() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a form token");
  return Hex(bytes, sizeof bytes);
}

Visit ReadVisit(const server::Request& request, const server::SessionBook* sessions) {
  Visit v{request, std::nullopt, "", "", false, ""};
  v.en = CookieValue(request, kLangCookie) == std::optional<std::string>("en");
  auto id = CookieValue(request, kSessionCookie);
  if (id && !id->empty() && sessions != nullptr) {
    if (auto live = sessions->Find(*id)) {
      v.user = std::move(live->user);
      v.session = *id;
      v.session_expires = std::move(live->expires_at);
      v.csrf = CsrfTokenOf(*id);
    }
  }
  return v;
}

}  // namespace qgrant::web
