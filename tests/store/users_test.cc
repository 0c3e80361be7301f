#include <atomic>
#include <thread>

#include "store/crypto.h"
#include "store_fixture.h"

namespace qgrant::store::testing {
namespace {

using UsersTest = StoreTest;

User Applicant(const std::string& login) {
  User u;
  u.login = login;
  u.role = "applicant";
  u.uscc = "91440300MA5FUTURE0";
  u.name = "张三";
  return u;
}

TEST_P(UsersTest, TokenAuthenticatesItsUserOnly) {
  auto token = CreateUser(*store_, Applicant("zhang"), "cli");
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->size(), 64u);
  EXPECT_EQ(token->find_first_not_of("0123456789abcdef"), std::string::npos);

  auto user = Authenticate(*store_, *token);
  ASSERT_TRUE(user.ok());
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->login, "zhang");
  EXPECT_EQ((*user)->role, "applicant");
  EXPECT_EQ((*user)->uscc, "91440300MA5FUTURE0");
  EXPECT_EQ((*user)->name, "张三");

  std::string wrong = *token;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  auto nobody = Authenticate(*store_, wrong);
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
  EXPECT_FALSE(Authenticate(*store_, "")->has_value());
}

TEST_P(UsersTest, StoresOnlyTheTokensHash) {
  auto token = CreateUser(*store_, Applicant("li"), "cli");
  ASSERT_TRUE(token.ok());
  auto raw = Raw();
  auto rows = raw->Query("SELECT token_hash FROM users WHERE login = ?", {std::string("li")});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Text(0), Sha256Hex(*token));
  EXPECT_NE(rows->front().Text(0), *token);
}

TEST_P(UsersTest, TwoTokensDiffer) {
  auto a = CreateUser(*store_, Applicant("a"), "cli");
  auto b = CreateUser(*store_, Applicant("b"), "cli");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_P(UsersTest, RefusesDuplicatesUnknownRolesAndApplicantsWithoutUnit) {
  ASSERT_TRUE(CreateUser(*store_, Applicant("wang"), "cli").ok());
  auto dup = CreateUser(*store_, Applicant("wang"), "cli");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("login 'wang' already exists"), std::string::npos);

  User bad_role = Applicant("zhao");
  bad_role.role = "superuser";
  auto role = CreateUser(*store_, bad_role, "cli");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("unknown role 'superuser'"), std::string::npos);

  User no_unit = Applicant("qian");
  no_unit.uscc.reset();
  auto unit = CreateUser(*store_, no_unit, "cli");
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.status().message().find("--uscc"), std::string::npos);
}

TEST_P(UsersTest, AddingAUserIsAudited) {
  User officer{0, "sun", "officer", std::nullopt, "孙", true, ""};
  ASSERT_TRUE(CreateUser(*store_, officer, "admin-cli").ok());
  auto head = store_->Read([](Reader& r) { return r.AuditHead(); });
  ASSERT_TRUE(head.ok());
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->actor, "admin-cli");
  EXPECT_EQ((*head)->action, "user.add");
  EXPECT_EQ((*head)->object, "user:sun");
  EXPECT_TRUE((*head)->before.is_null());
  EXPECT_EQ((*head)->after["role"], "officer");
  EXPECT_FALSE((*head)->after.contains("token_hash"));
}

TEST_P(UsersTest, DeactivatedUsersTokenNoLongerWorks) {
  auto token = CreateUser(*store_, Applicant("zhou"), "cli");
  ASSERT_TRUE(token.ok());
  Status st = store_->Write([&](WriteTx& tx) -> Status {
    auto u = tx.UserByLogin("zhou");
    if (!u.ok()) return u.status();
    QGRANT_RETURN_IF_ERROR(tx.SetUserActive((*u)->id, false));
    return tx.Audit({"admin", "user.deactivate", "user:zhou", nullptr, nullptr}).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(Authenticate(*store_, *token)->has_value());
}

// A web session (WEB.md §4): the id is shown once and only its hash is kept; it lasts until its
// expiry, its end, or its user's deactivation; starting and ending are audited by the user.
TEST_P(UsersTest, WebSessionsKeepOnlyTheHashAndEnd) {
  ASSERT_TRUE(CreateUser(*store_, Applicant("wu"), "cli").ok());
  auto wu = store_->Read([](Reader& r) { return r.UserByLogin("wu"); });
  ASSERT_TRUE(wu.ok() && wu->has_value());
  constexpr int64_t kNow = 1780000000;
  auto session = StartWebSession(*store_, **wu, kNow, 3600);
  ASSERT_TRUE(session.ok()) << session.status().message();
  EXPECT_EQ(session->id.size(), 64u);
  auto rows = Raw()->Query("SELECT id_hash, expires_epoch FROM web_sessions", {});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Text(0), Sha256Hex(session->id));
  EXPECT_EQ(rows->front().Int(1), kNow + 3600);

  auto found = WebSessionUser(*store_, session->id, kNow + 3599);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->user.login, "wu");
  EXPECT_EQ((*found)->expires_at, session->expires_at);
  EXPECT_FALSE(WebSessionUser(*store_, session->id, kNow + 3600)->has_value());      // expired
  EXPECT_FALSE(WebSessionUser(*store_, Sha256Hex(session->id), kNow)->has_value());  // the hash is no id
  EXPECT_FALSE(WebSessionUser(*store_, "", kNow)->has_value());

  auto head = store_->Read([](Reader& r) { return r.AuditHead(); });
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->actor, "wu");
  EXPECT_EQ((*head)->action, "session.start");
  EXPECT_EQ((*head)->object, "user:wu");
  EXPECT_EQ((*head)->after.dump().find(session->id), std::string::npos);

  ASSERT_TRUE(EndWebSession(*store_, session->id).ok());
  EXPECT_FALSE(WebSessionUser(*store_, session->id, kNow)->has_value());
  head = store_->Read([](Reader& r) { return r.AuditHead(); });
  EXPECT_EQ((*head)->action, "session.end");
  const int64_t seq = (*head)->seq;
  ASSERT_TRUE(EndWebSession(*store_, session->id).ok());  // ended already: nothing to do
  EXPECT_EQ((*store_->Read([](Reader& r) { return r.AuditHead(); }))->seq, seq);
}

// A live session may be extended (audited); an expired one may not come back to life.
TEST_P(UsersTest, ALiveWebSessionIsExtendedAndAnExpiredOneIsNot) {
  ASSERT_TRUE(CreateUser(*store_, Applicant("zheng"), "cli").ok());
  auto zheng = store_->Read([](Reader& r) { return r.UserByLogin("zheng"); });
  ASSERT_TRUE(zheng.ok() && zheng->has_value());
  constexpr int64_t kNow = 1780000000;
  auto session = StartWebSession(*store_, **zheng, kNow, 3600);
  ASSERT_TRUE(session.ok());
  auto extended = ExtendWebSession(*store_, session->id, kNow + 3000, 3600);
  ASSERT_TRUE(extended.ok() && extended->has_value()) << extended.status().message();
  EXPECT_NE(**extended, session->expires_at);
  EXPECT_TRUE(WebSessionUser(*store_, session->id, kNow + 6000)->has_value());  // past the first end
  EXPECT_FALSE(WebSessionUser(*store_, session->id, kNow + 6600)->has_value());
  auto head = store_->Read([](Reader& r) { return r.AuditHead(); });
  EXPECT_EQ((*head)->action, "session.extend");
  EXPECT_EQ((*head)->before["expires_at"], session->expires_at);
  EXPECT_EQ((*head)->after["expires_at"], **extended);
  auto late = ExtendWebSession(*store_, session->id, kNow + 6600, 3600);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->has_value());
  EXPECT_FALSE(WebSessionUser(*store_, session->id, kNow + 6601)->has_value());
}

TEST_P(UsersTest, WebSessionsEndWithTheirUserAndExpiredOnesAreDropped) {
  ASSERT_TRUE(CreateUser(*store_, Applicant("qian"), "cli").ok());
  auto qian = store_->Read([](Reader& r) { return r.UserByLogin("qian"); });
  ASSERT_TRUE(qian.ok() && qian->has_value());
  constexpr int64_t kNow = 1780000000;
  auto old = StartWebSession(*store_, **qian, kNow - 3 * 86400, 3600);
  auto live = StartWebSession(*store_, **qian, kNow, 3600);
  ASSERT_TRUE(old.ok() && live.ok());
  EXPECT_NE(old->id, live->id);
  auto rows = Raw()->Query("SELECT id_hash FROM web_sessions", {});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);  // the one that expired days ago went with the next sign-in
  EXPECT_EQ(rows->front().Text(0), Sha256Hex(live->id));

  Status st = store_->Write([&](WriteTx& tx) -> Status {
    QGRANT_RETURN_IF_ERROR(tx.SetUserActive((*qian)->id, false));
    return tx.Audit({"admin", "user.deactivate", "user:qian", nullptr, nullptr}).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(WebSessionUser(*store_, live->id, kNow)->has_value());
}

// `qgrant user add` opens its own store on the server's database while the server writes: both
// writers take the database's write lock in turn, the token works at once in the server's store,
// and the chain stays one chain.
TEST_P(UsersTest, ASecondStoreAddsUsersWhileTheFirstWrites) {
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread server([&] {
    while (!stop) {
      Status st = store_->Write([&](WriteTx& tx) { return tx.Audit(Event("round:R1", written)).status(); });
      ASSERT_TRUE(st.ok()) << st.message();
      ++written;
    }
  });
  std::vector<std::string> tokens;
  {
    auto cli = Open();
    ASSERT_NE(cli, nullptr);
    for (int i = 0; i < 5; ++i) {
      auto token = CreateUser(*cli, Applicant("cli" + std::to_string(i)), "cli:user-add");
      ASSERT_TRUE(token.ok()) << token.status().message();
      tokens.push_back(*token);
    }
  }
  stop = true;
  server.join();
  for (const std::string& token : tokens) EXPECT_TRUE(Authenticate(*store_, token)->has_value());
  auto verdict = store_->Read([](Reader& r) { return r.VerifyAudit(); });
  ASSERT_TRUE(verdict.ok());
  EXPECT_TRUE(verdict->ok) << verdict->bad_seq << ": " << verdict->reason;
  EXPECT_EQ(verdict->entries, written.load() + 5);
}

QGRANT_STORE_BACKENDS(UsersTest);

}  // namespace
}  // namespace qgrant::store::testing
