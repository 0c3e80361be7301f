#include "server/auth.h"

namespace qgrant::server {

namespace {
constexpr const char* kRoleNames[kRoleCount] = {"applicant", "reviewer", "expert", "officer",
                                                "finance",   "auditor",  "admin"};
}

const char* RoleName(Role r) { return kRoleNames[static_cast<int>(r)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < kRoleCount; ++i) {
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  }
  return std::nullopt;
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> roles = {Role::kApplicant, Role::kReviewer, Role::kExpert, Role::kOfficer,
                                          Role::kFinance,   Role::kAuditor,  Role::kAdmin};
  return roles;
}

Access Access::SignedIn() { return Access(false, (1u << kRoleCount) - 1); }

Access Access::Staff() { return Access(false, ((1u << kRoleCount) - 1) & ~1u); }

Access Access::Roles(std::initializer_list<Role> roles) {
  uint32_t mask = 0;
  for (Role r : roles) {
    mask |= 1u << static_cast<int>(r);
    if (r == Role::kOfficer) mask |= 1u << static_cast<int>(Role::kAdmin);
  }
  return Access(false, mask);
}

std::vector<std::string> Access::Names() const {
  if (anyone_) return {"anyone"};
  std::vector<std::string> names;
  for (Role r : AllRoles()) {
    if (Allows(r)) names.emplace_back(RoleName(r));
  }
  return names;
}

std::optional<std::string_view> ParseBearer(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() + 1) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  size_t start = kScheme.size();
  if (header[start] != ' ') return std::nullopt;
  while (start < header.size() && header[start] == ' ') ++start;
  std::string_view token = header.substr(start);
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;  // token68 may end in padding
  if (end == 0) return std::nullopt;
  for (size_t i = 0; i < end; ++i) {
    const char c = token[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  return token;
}

bool ValidIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace qgrant::server
