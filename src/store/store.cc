#include "store/store.h"

#include <algorithm>

#include "store/crypto.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qgrant::store {

bool IsKnownRole(std::string_view role) {
  return std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles);
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, StoreOptions options) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return PgStore::Open(std::string(url), std::move(options));
  }
  if (url.starts_with("sqlite:")) url.remove_prefix(7);
  if (url.find("://") != std::string_view::npos) {
    return Status::InvalidArgument("unknown database URL '" + std::string(url) +
                                   "': use a file path, sqlite:PATH or postgresql://…");
  }
  return SqliteStore::Open(std::string(url), std::move(options));
}

Result<std::optional<User>> Authenticate(Store& store, std::string_view token) {
  const std::string hash = Sha256Hex(token);
  auto user = store.Read([&](Reader& r) { return r.UserByTokenHash(hash); });
  if (!user.ok() || !*user) return user;
  if (!(*user)->active) return std::optional<User>();
  return user;
}

Result<std::string> CreateUser(Store& store, User user, const std::string& actor) {
  if (!IsKnownRole(user.role)) {
    return Status::InvalidArgument("unknown role '" + user.role +
                                   "' (applicant, reviewer, expert, officer, finance, auditor, admin)");
  }
  if (user.role == "applicant" && (!user.uscc || user.uscc->empty())) {
    return Status::InvalidArgument("an applicant needs --uscc, the unit it acts for");
  }
  if (user.login.empty()) return Status::InvalidArgument("a user needs a login");
  auto token = NewToken();
  if (!token.ok()) return token.status();
  const std::string hash = Sha256Hex(*token);
  Status st = store.Write([&](WriteTx& tx) -> Status {
    QGRANT_RETURN_IF_ERROR(tx.AddUser(&user, hash));
    nlohmann::json after = {{"id", user.id}, {"login", user.login}, {"role", user.role}, {"name", user.name}};
    after["uscc"] = user.uscc ? nlohmann::json(*user.uscc) : nlohmann::json(nullptr);
    auto entry = tx.Audit({actor, "user.add", "user:" + user.login, nullptr, after});
    return entry.ok() ? Status::Ok() : entry.status();
  });
  if (!st.ok()) return st;
  return *token;
}

Result<StartedWebSession> StartWebSession(Store& store, const User& user, int64_t now_epoch, int64_t lifetime_seconds) {
  auto id = NewToken();
  if (!id.ok()) return id.status();
  WebSession session;
  session.id_hash = Sha256Hex(*id);
  session.user_id = user.id;
  session.expires_epoch = now_epoch + lifetime_seconds;
  session.expires_at = FormatInstant(std::chrono::system_clock::from_time_t(session.expires_epoch));
  constexpr int64_t kDay = 24 * 3600;
  Status st = store.Write([&](WriteTx& tx) -> Status {
    QGRANT_RETURN_IF_ERROR(tx.DeleteWebSessionsExpiredBefore(now_epoch - kDay));
    QGRANT_RETURN_IF_ERROR(tx.InsertWebSession(&session));
    auto entry = tx.Audit({user.login, "session.start", "user:" + user.login, nullptr,
                           nlohmann::json{{"expires_at", session.expires_at}}});
    return entry.ok() ? Status::Ok() : entry.status();
  });
  if (!st.ok()) return st;
  return StartedWebSession{*id, session.expires_at};
}

namespace {

bool Live(const std::optional<std::pair<WebSession, User>>& found, int64_t now_epoch) {
  return found && found->first.expires_epoch > now_epoch && found->second.active;
}

}  // namespace

Result<std::optional<LiveWebSession>> WebSessionUser(Store& store, std::string_view id, int64_t now_epoch) {
  const std::string hash = Sha256Hex(id);
  auto found = store.Read([&](Reader& r) { return r.WebSessionByHash(hash); });
  if (!found.ok()) return found.status();
  if (!Live(*found, now_epoch)) return std::optional<LiveWebSession>();
  return std::optional<LiveWebSession>(LiveWebSession{(*found)->second, (*found)->first.expires_at});
}

Result<std::optional<std::string>> ExtendWebSession(Store& store, std::string_view id, int64_t now_epoch,
                                                    int64_t lifetime_seconds) {
  const std::string hash = Sha256Hex(id);
  std::optional<std::string> extended;
  Status st = store.Write([&](WriteTx& tx) -> Status {
    extended.reset();
    auto found = tx.WebSessionByHash(hash);
    if (!found.ok()) return found.status();
    if (!Live(*found, now_epoch)) return Status::Ok();
    WebSession s = (*found)->first;
    const std::string before = s.expires_at;
    s.expires_epoch = now_epoch + lifetime_seconds;
    s.expires_at = FormatInstant(std::chrono::system_clock::from_time_t(s.expires_epoch));
    QGRANT_RETURN_IF_ERROR(tx.UpdateWebSessionExpiry(s));
    const std::string& login = (*found)->second.login;
    auto entry = tx.Audit({login, "session.extend", "user:" + login, nlohmann::json{{"expires_at", before}},
                           nlohmann::json{{"expires_at", s.expires_at}}});
    if (!entry.ok()) return entry.status();
    extended = s.expires_at;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return extended;
}

Status EndWebSession(Store& store, std::string_view id) {
  const std::string hash = Sha256Hex(id);
  return store.Write([&](WriteTx& tx) -> Status {
    auto found = tx.WebSessionByHash(hash);
    if (!found.ok()) return found.status();
    if (!*found) return Status::Ok();
    QGRANT_RETURN_IF_ERROR(tx.DeleteWebSession(hash));
    const std::string& login = (*found)->second.login;
    auto entry = tx.Audit(
        {login, "session.end", "user:" + login, nlohmann::json{{"expires_at", (*found)->first.expires_at}}, nullptr});
    return entry.ok() ? Status::Ok() : entry.status();
  });
}

}  // namespace qgrant::store
