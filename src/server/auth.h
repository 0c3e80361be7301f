// Who is calling and who may call what. The server only parses credentials and applies each
// route's Access; who a token belongs to is the store's business, reached through the
// Authenticator interface (the store implements it; tests plug in a map). Thread-safety: an
// Authenticator is called from every worker thread at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qgrant::server {

// The roles of CONTRACT.md §7.
enum class Role : uint8_t { kApplicant, kReviewer, kExpert, kOfficer, kFinance, kAuditor, kAdmin };
inline constexpr int kRoleCount = 7;
const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);
const std::vector<Role>& AllRoles();

struct User {
  int64_t id = 0;  // the store's user id (idempotency keys are kept per user)
  std::string login;
  Role role = Role::kApplicant;
  std::string uscc;  // the unit an applicant acts for; empty for staff
  std::string name;  // the person's display name
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The user a bearer token belongs to, or nullopt for an unknown or revoked token.
  virtual std::optional<User> Authenticate(std::string_view token) const = 0;
};

// The web pages' sign-in sessions (WEB.md §4 "Security"): signing in with a token starts a
// session whose random id the browser keeps in an HttpOnly cookie, so the bearer token itself
// never reaches the page. Implemented over the store (StoreSessions); thread-safe like an
// Authenticator.
class SessionBook {
 public:
  static constexpr int64_t kLifetimeSeconds = 12 * 3600;  // a working day, then sign in again
  struct Started {
    std::string id;          // the cookie's value; never stored
    std::string expires_at;  // RFC 3339, +08:00
  };
  virtual ~SessionBook() = default;
  // A new session of `user` (nullopt when the store cannot keep it).
  virtual std::optional<Started> Start(const User& user) const = 0;
  struct Live {
    User user;
    std::string expires_at;  // RFC 3339, +08:00
  };
  // The user of a session that has not ended or expired, whose user is still active, and when
  // the session ends.
  virtual std::optional<Live> Find(std::string_view id) const = 0;
  // Moves a live session's end to kLifetimeSeconds from now (WCAG 2.2.1: a time limit the user
  // can extend); the new end, or nullopt when the session is not live or the store failed.
  virtual std::optional<std::string> Extend(std::string_view id) const = 0;
  // Ends the session (sign-out); an unknown id is nothing to end. False when the store could
  // not: the session may still be alive.
  virtual bool End(std::string_view id) const = 0;
};

// Who may call a route: anyone (no sign-in), or signed-in users whose role is in the set.
// "Admin may do what an officer does" (§7 in detail): Roles() with kOfficer admits kAdmin too.
class Access {
 public:
  static Access Anyone() { return Access(true, 0); }
  static Access SignedIn();  // every role
  static Access Staff();     // every role but applicant
  static Access Roles(std::initializer_list<Role> roles);

  bool anyone() const { return anyone_; }
  bool Allows(Role r) const { return anyone_ || (mask_ >> static_cast<int>(r)) & 1u; }
  // Role names for documents and messages ("anyone" or "officer, admin").
  std::vector<std::string> Names() const;

 private:
  Access(bool anyone, uint32_t mask) : anyone_(anyone), mask_(mask) {}
  bool anyone_;
  uint32_t mask_;
};

// The token of an `Authorization: Bearer TOKEN` header (scheme case-insensitive, RFC 6750
// token68 characters); nullopt when the header is anything else.
std::optional<std::string_view> ParseBearer(std::string_view header);

// An `Idempotency-Key` is 1–255 visible ASCII characters (§7 "Idempotency").
bool ValidIdempotencyKey(std::string_view key);

}  // namespace qgrant::server
