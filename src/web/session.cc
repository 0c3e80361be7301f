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
  for (const auto& [header, value] : request.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
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

std::string SessionCookie(std::string_view value, bool secure) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  if (value.empty()) c += "; Max-Age=0";
  return c;
}

std::string LangCookie(bool en, bool secure) {
  // A preference, not a secret: still HttpOnly, since no script needs it.
  return std::string(kLangCookie) + "=" + (en ? "en" : "zh") + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000" +
         (secure ? "; Secure" : "");
}

CsrfKey::CsrfKey() : key_(32, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) != 1) {
    throw std::runtime_error("no random bytes for the CSRF key");
  }
}

std::string CsrfKey::TokenFor(std::string_view session) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(session.data()),
       session.size(), mac, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

bool CsrfKey::Valid(std::string_view session, std::string_view token) const {
  const std::string expected = TokenFor(session);
  return !session.empty() && token.size() == expected.size() &&
         CRYPTO_memcmp(token.data(), expected.data(), token.size()) == 0;
}

Visit ReadVisit(const server::Request& request, const server::Authenticator* auth, const CsrfKey& key) {
  Visit v{request, std::nullopt, "", false, ""};
  v.en = CookieValue(request, kLangCookie) == std::optional<std::string>("en");
  auto token = CookieValue(request, kSessionCookie);
  if (token && !token->empty() && auth != nullptr) {
    v.user = auth->Authenticate(*token);
    if (v.user) {
      v.token = *token;
      v.csrf = key.TokenFor(*token);
    }
  }
  return v;
}

}  // namespace qgrant::web
