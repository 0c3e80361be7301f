#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <tuple>

#include "store_fixture.h"

namespace qgrant::store::testing {
namespace {

using WriteTest = StoreTest;

Status InsertRound(Store& store, const std::string& id) {
  return store.Write([&](WriteTx& tx) -> Status {
    Round r = SampleRound(id);
    QGRANT_RETURN_IF_ERROR(tx.InsertRound(&r));
    return tx.Audit(Event("round:" + id, 0)).status();
  });
}

Result<Application> InsertApplication(Store& store, const std::string& subject) {
  return store.Write([&](WriteTx& tx) -> Result<Application> {
    Application a = SampleApplication("R1", subject);
    QGRANT_RETURN_IF_ERROR(tx.InsertApplication(&a));
    auto e = tx.Audit(Event("application:" + a.id, 1));
    if (!e.ok()) return e.status();
    return a;
  });
}

int64_t Count(Store& store, const std::string& round) {
  auto apps = store.Read([&](Reader& r) {
    ApplicationFilter f;
    f.round = round;
    f.limit = 100000;
    return r.Applications(f);
  });
  EXPECT_TRUE(apps.ok());
  return apps.ok() ? int64_t(apps->size()) : -1;
}

TEST_P(WriteTest, RoundsRoundTripAndDuplicatesAreRefused) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  Status dup = InsertRound(*store_, "R1");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("round with id 'R1' already exists"), std::string::npos);

  Status st = store_->Write([&](WriteTx& tx) -> Status {
    auto r = tx.GetRound("R1");
    if (!r.ok()) return r.status();
    Round round = **r;
    round.state = "in_notice";
    round.notice = Notice{"2026-06-15", "2026-06-23", 5};
    QGRANT_RETURN_IF_ERROR(tx.UpdateRound(&round));
    return tx.Audit(Event("round:R1", 2)).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  auto round = store_->Read([](Reader& r) { return r.GetRound("R1"); });
  ASSERT_TRUE(round.ok() && round->has_value());
  EXPECT_EQ((*round)->title, "2026 第一批");
  EXPECT_EQ((*round)->state, "in_notice");
  ASSERT_TRUE((*round)->notice.has_value());
  EXPECT_EQ((*round)->notice->ends_on, "2026-06-23");
  EXPECT_EQ((*round)->notice->working_days, 5);
  EXPECT_EQ((*round)->budget_fen, 1'000'000'000);
}

TEST_P(WriteTest, ApplicationsGetIdsHistoryAndReviews) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  auto a = InsertApplication(*store_, "CQA-2025");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->id, "APP-000001");
  ASSERT_TRUE(CreateUser(*store_, User{0, "expert1", "expert", std::nullopt, "", true, ""}, "cli").ok());

  Status st = store_->Write([&](WriteTx& tx) -> Status {
    auto app = tx.GetApplication(a->id);
    if (!app.ok()) return app.status();
    Application x = **app;
    auto seq = tx.NextSubmissionSeq();
    if (!seq.ok()) return seq.status();
    x.state = "submitted";
    x.submission_seq = *seq;
    x.submitted_on = "2026-03-02";
    x.decision = R"({"outcome":"eligible","amount_fen":300000000})";
    x.amount_fen = 300000000;
    QGRANT_RETURN_IF_ERROR(tx.UpdateApplication(&x));
    HistoryEntry h{0, x.id, "", "submit", "draft", "submitted", "zhang", "applicant", std::nullopt, std::nullopt};
    QGRANT_RETURN_IF_ERROR(tx.AddHistory(&h));
    auto expert = tx.UserByLogin("expert1");
    Review first{0, x.id, (*expert)->id, "", true, 80, "good", false, ""};
    QGRANT_RETURN_IF_ERROR(tx.PutReview(&first));
    Review second{0, x.id, (*expert)->id, "", false, 40, "on reflection", false, ""};
    QGRANT_RETURN_IF_ERROR(tx.PutReview(&second));
    return tx.Audit(Event("application:" + x.id, 2)).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();

  auto read =
      store_->Read([&](Reader& r) -> Result<std::tuple<Application, std::vector<HistoryEntry>, std::vector<Review>>> {
        auto app = r.GetApplication(a->id);
        auto history = r.History(a->id);
        auto reviews = r.Reviews(a->id);
        if (!app.ok() || !history.ok() || !reviews.ok()) return Status::Internal("read failed");
        return std::make_tuple(**app, *history, *reviews);
      });
  ASSERT_TRUE(read.ok()) << read.status().message();
  auto& [app, history, reviews] = *read;
  EXPECT_EQ(app.state, "submitted");
  EXPECT_EQ(app.submission_seq, 1);
  EXPECT_EQ(app.created_at, a->created_at);  // an update keeps the creation instant
  EXPECT_EQ(app.amount_fen, 300000000);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].from_state, "draft");
  EXPECT_FALSE(history[0].note.has_value());
  ASSERT_EQ(reviews.size(), 1u);  // the second review replaced the first
  EXPECT_EQ(reviews[0].passed, false);
  EXPECT_EQ(reviews[0].score, 40);
  EXPECT_EQ(reviews[0].expert, "expert1");

  auto totals = store_->Read([](Reader& r) { return r.RoundTotalsByState("R1"); });
  ASSERT_TRUE(totals.ok());
  ASSERT_EQ(totals->size(), 1u);
  EXPECT_EQ((*totals)[0].key, "submitted");
  EXPECT_EQ((*totals)[0].amount_fen, 300000000);
}

TEST_P(WriteTest, FindsTheLiveDuplicateOnly) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  auto a = InsertApplication(*store_, "CQA-2025");
  ASSERT_TRUE(a.ok());
  const std::vector<std::string> dead{"withdrawn", "rejected", "not_funded"};
  auto dup =
      store_->Read([&](Reader& r) { return r.FindLiveApplication("R1", a->uscc, a->measure, "CQA-2025", dead); });
  ASSERT_TRUE(dup.ok());
  ASSERT_TRUE(dup->has_value());
  EXPECT_EQ((*dup)->id, a->id);
  auto self = store_->Read(
      [&](Reader& r) { return r.FindLiveApplication("R1", a->uscc, a->measure, "CQA-2025", dead, a->id); });
  EXPECT_FALSE(self->has_value());
}

// Lists page by creation order with a cursor; allocation reads by the last submission.
TEST_P(WriteTest, ListsPageByCreationAndAllocationReadsBySubmission) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  std::vector<std::string> ids;
  for (const char* subject : {"A", "B", "C"}) {
    auto a = InsertApplication(*store_, subject);
    ASSERT_TRUE(a.ok());
    ids.push_back(a->id);
  }
  // Submit C, then A, then B; then A again (returned and resubmitted): A goes to the back.
  for (const std::string& id : {ids[2], ids[0], ids[1], ids[0]}) {
    Status st = store_->Write([&](WriteTx& tx) -> Status {
      auto app = tx.GetApplication(id);
      if (!app.ok()) return app.status();
      Application x = **app;
      auto seq = tx.NextSubmissionSeq();
      if (!seq.ok()) return seq.status();
      x.submission_seq = *seq;
      x.state = "accepted";
      QGRANT_RETURN_IF_ERROR(tx.UpdateApplication(&x));
      return tx.Audit(Event("application:" + id, 1)).status();
    });
    ASSERT_TRUE(st.ok()) << st.message();
  }
  auto order = store_->Read([](Reader& r) { return r.ApplicationsBySubmission("R1", {"accepted"}); });
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->size(), 3u);
  EXPECT_EQ((*order)[0].id, ids[2]);
  EXPECT_EQ((*order)[1].id, ids[1]);
  EXPECT_EQ((*order)[2].id, ids[0]);

  ApplicationFilter page;
  page.round = "R1";
  page.limit = 2;
  auto first = store_->Read([&](Reader& r) { return r.Applications(page); });
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, ids[0]);
  page.after_seq = first->back().seq;
  auto second = store_->Read([&](Reader& r) { return r.Applications(page); });
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, ids[2]);
  page.after_seq = 0;
  page.states = {"draft"};
  EXPECT_TRUE(store_->Read([&](Reader& r) { return r.Applications(page); })->empty());
}

// A list may keep other states in some rounds (what an applicant sees as accepted before a
// round's notice starts); a round's totals give the decisions' amounts beside the allocated ones.
TEST_P(WriteTest, ListsKeepOtherStatesInSomeRoundsAndTotalsGiveTheDecidedAmounts) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  ASSERT_TRUE(InsertRound(*store_, "R2").ok());
  // R1 and R2 each: one accepted (300万 decided), one proposed (allocated 100万 of 200万), one
  // not funded (allocated 0 of 50万).
  std::map<std::string, std::string> id;  // "R1/accepted" -> its id
  for (const char* round : {"R1", "R2"}) {
    for (const auto& [state, decided, allocated] :
         {std::tuple<std::string, int64_t, std::optional<int64_t>>{"accepted", 300'000'000, std::nullopt},
          {"proposed", 200'000'000, 100'000'000},
          {"not_funded", 50'000'000, 0}}) {
      auto a = store_->Write([&](WriteTx& tx) -> Result<Application> {
        Application x = SampleApplication(round, state);
        x.state = state;
        x.amount_fen = decided;
        x.allocated_fen = allocated;
        QGRANT_RETURN_IF_ERROR(tx.InsertApplication(&x));
        auto e = tx.Audit(Event("application:" + x.id, 1));
        if (!e.ok()) return e.status();
        return x;
      });
      ASSERT_TRUE(a.ok()) << a.status().message();
      id[std::string(round) + "/" + state] = a->id;
    }
  }
  auto ids = [&](const ApplicationFilter& f) {
    auto apps = store_->Read([&](Reader& r) { return r.Applications(f); });
    EXPECT_TRUE(apps.ok()) << apps.status().message();
    std::vector<std::string> out;
    for (const auto& a : apps.ok() ? *apps : std::vector<Application>()) out.push_back(a.id);
    return out;
  };
  ApplicationFilter f;
  f.states = {"accepted"};
  f.states_in_rounds = StatesInRounds{{"R1"}, {"accepted", "proposed", "not_funded"}};
  EXPECT_EQ(ids(f),
            (std::vector<std::string>{id["R1/accepted"], id["R1/proposed"], id["R1/not_funded"], id["R2/accepted"]}));
  f.states = {"proposed"};
  f.states_in_rounds = StatesInRounds{{"R1"}, {}};  // none in R1
  EXPECT_EQ(ids(f), (std::vector<std::string>{id["R2/proposed"]}));
  f.round = "R1";
  EXPECT_TRUE(ids(f).empty());
  f.round.reset();
  f.states = {};  // no filter outside R1; inside, only its own states
  f.states_in_rounds = StatesInRounds{{"R1", "R3"}, {"not_funded"}};
  EXPECT_EQ(ids(f),
            (std::vector<std::string>{id["R1/not_funded"], id["R2/accepted"], id["R2/proposed"], id["R2/not_funded"]}));
  f.states_in_rounds = StatesInRounds{{}, {"draft"}};  // no rounds: `states` alone
  f.states = {"not_funded"};
  EXPECT_EQ(ids(f), (std::vector<std::string>{id["R1/not_funded"], id["R2/not_funded"]}));
  f.limit = 1;
  f.states_in_rounds = StatesInRounds{{"R2"}, {"proposed"}};
  EXPECT_EQ(ids(f), (std::vector<std::string>{id["R1/not_funded"]}));

  auto totals = store_->Read([](Reader& r) { return r.RoundTotalsByState("R1"); });
  ASSERT_TRUE(totals.ok()) << totals.status().message();
  std::map<std::string, std::pair<int64_t, int64_t>> by_state;
  for (const auto& t : *totals) by_state[t.key] = {t.amount_fen, t.decided_fen};
  EXPECT_EQ(by_state["accepted"], std::make_pair(int64_t{300'000'000}, int64_t{300'000'000}));
  EXPECT_EQ(by_state["proposed"], std::make_pair(int64_t{100'000'000}, int64_t{200'000'000}));
  EXPECT_EQ(by_state["not_funded"], std::make_pair(int64_t{0}, int64_t{50'000'000}));
  auto by_measure = store_->Read([](Reader& r) { return r.RoundTotalsByMeasure("R2"); });
  ASSERT_TRUE(by_measure.ok());
  ASSERT_EQ(by_measure->size(), 1u);
  EXPECT_EQ((*by_measure)[0].count, 3);
  EXPECT_EQ((*by_measure)[0].amount_fen, 400'000'000);
  EXPECT_EQ((*by_measure)[0].decided_fen, 550'000'000);
}

TEST_P(WriteTest, ObjectionsLedgerPaymentsInvitationsRoundTrip) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  auto a = InsertApplication(*store_, "CQA-2025");
  ASSERT_TRUE(a.ok());
  Status st = store_->Write([&](WriteTx& tx) -> Status {
    Objection o{0,  "R1",         a->id,        "该单位存在失信记录", "open", std::nullopt,
                "", std::nullopt, std::nullopt, std::nullopt};
    QGRANT_RETURN_IF_ERROR(tx.InsertObjection(&o));
    o.state = "upheld";
    o.resolution_note = "查实";
    QGRANT_RETURN_IF_ERROR(tx.UpdateObjection(o));
    LedgerEntry l{0,     a->uscc, "sz-quality-brand", a->measure, "winner", "CQA-2025", 300000000, "2026-07-01", "city",
                  a->id, "R1"};
    QGRANT_RETURN_IF_ERROR(tx.InsertLedgerEntry(&l));
    Payment p{0, "R1", a->id, "示例公司", a->uscc, 300000000, "pending", std::nullopt, 0, ""};
    QGRANT_RETURN_IF_ERROR(tx.InsertPayment(&p));
    p.status = "failed";
    p.attempts = 1;
    QGRANT_RETURN_IF_ERROR(tx.UpdatePayment(&p));
    Invitation i{0, "R1", a->uscc, "metrology", "JJF-2025-01", 80000000, "open", std::nullopt, "", "", ""};
    QGRANT_RETURN_IF_ERROR(tx.InsertInvitation(&i));
    i.state = "confirmed";
    i.application_id = a->id;
    QGRANT_RETURN_IF_ERROR(tx.UpdateInvitation(i));
    return tx.Audit(Event("round:R1", 3)).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  auto objections = store_->Read([](Reader& r) { return r.Objections("R1"); });
  ASSERT_EQ(objections->size(), 1u);
  EXPECT_EQ((*objections)[0].state, "upheld");
  EXPECT_EQ((*objections)[0].resolution_note, "查实");
  auto ledger = store_->Read([&](Reader& r) { return r.Ledger(a->uscc); });
  ASSERT_EQ(ledger->size(), 1u);
  EXPECT_EQ((*ledger)[0].level, "winner");
  EXPECT_EQ((*ledger)[0].application_id, a->id);
  auto payments = store_->Read([](Reader& r) { return r.Payments("R1"); });
  ASSERT_EQ(payments->size(), 1u);
  EXPECT_EQ((*payments)[0].status, "failed");
  EXPECT_EQ((*payments)[0].attempts, 1);
  auto invitations = store_->Read([](Reader& r) { return r.Invitations(std::nullopt); });
  ASSERT_EQ(invitations->size(), 1u);
  EXPECT_EQ((*invitations)[0].state, "confirmed");
  EXPECT_EQ((*invitations)[0].application_id, a->id);
}

TEST_P(WriteTest, UpdatingAMissingRowIsNotFound) {
  Status st = store_->Write([&](WriteTx& tx) -> Status {
    Payment p;
    p.id = 42;
    QGRANT_RETURN_IF_ERROR(tx.UpdatePayment(&p));
    return tx.Audit(Event("payment:42", 0)).status();
  });
  EXPECT_EQ(st.code(), Status::Code::kNotFound) << st.message();
}

TEST_P(WriteTest, AChangeWithoutAuditIsRolledBack) {
  Status st = store_->Write([&](WriteTx& tx) -> Status {
    Round r = SampleRound("R9");
    return tx.InsertRound(&r);
  });
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("without an audit entry"), std::string::npos);
  auto round = store_->Read([](Reader& r) { return r.GetRound("R9"); });
  EXPECT_FALSE(round->has_value());
}

TEST_P(WriteTest, AFailingJobChangesNothing) {
  Status st = store_->Write([&](WriteTx& tx) -> Status {
    Round r = SampleRound("R9");
    QGRANT_RETURN_IF_ERROR(tx.InsertRound(&r));
    QGRANT_RETURN_IF_ERROR(tx.Audit(Event("round:R9", 0)).status());
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(st.message(), "changed my mind");
  EXPECT_FALSE(store_->Read([](Reader& r) { return r.GetRound("R9"); })->has_value());
  EXPECT_FALSE(store_->Read([](Reader& r) { return r.AuditHead(); })->has_value());
}

// Many threads write at once; every third job fails after writing. Each success is durable
// (visible to a new store), each failure left nothing, and the chain has no gap.
TEST_P(WriteTest, ConcurrentWritersCommitAllButTheFailingJobs) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  constexpr int kThreads = 8, kPerThread = 30;
  std::atomic<int> ok{0}, failed{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const bool fail = (t * kPerThread + i) % 3 == 0;
        const std::string subject = "S-" + std::to_string(t) + "-" + std::to_string(i);
        Status st = store_->Write([&](WriteTx& tx) -> Status {
          Application a = SampleApplication("R1", subject);
          QGRANT_RETURN_IF_ERROR(tx.InsertApplication(&a));
          QGRANT_RETURN_IF_ERROR(tx.Audit(Event("application:" + a.id, i)).status());
          return fail ? Status::InvalidArgument("refused") : Status::Ok();
        });
        (st.ok() ? ok : failed)++;
        if (st.ok() == fail) wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(failed.load(), kThreads * kPerThread / 3);
  store_.reset();
  auto reopened = Open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(Count(*reopened, "R1"), ok.load());
  auto verdict = reopened->Read([](Reader& r) { return r.VerifyAudit(); });
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_TRUE(verdict->ok) << verdict->bad_seq << ": " << verdict->reason;
  EXPECT_EQ(verdict->entries, ok.load() + 1);  // + the round's entry
}

TEST_P(WriteTest, IdempotentAnswersAreKeptPerUserAndKey) {
  ASSERT_TRUE(CreateUser(*store_, User{0, "u1", "officer", std::nullopt, "", true, ""}, "cli").ok());
  ASSERT_TRUE(CreateUser(*store_, User{0, "u2", "officer", std::nullopt, "", true, ""}, "cli").ok());
  auto remember = [&](int64_t user, const std::string& body) {
    return store_->Write([&](WriteTx& tx) -> Status {
      IdempotencyRecord rec{
          user, "key-1", "POST", "/api/v1/rounds", body, 201, R"({"id":"R1"})", "", 0, "/api/v1/rounds/R1"};
      return tx.RememberAnswer(&rec);
    });
  };
  ASSERT_TRUE(remember(1, "hash-a").ok());
  ASSERT_TRUE(remember(2, "hash-b").ok());  // the same key of another user is another record
  Status again = remember(1, "hash-c");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("key-1"), std::string::npos);

  auto rec = store_->Read([](Reader& r) { return r.FindIdempotency(1, "key-1"); });
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_TRUE(SameRequest(**rec, "POST", "/api/v1/rounds", "hash-a"));
  EXPECT_FALSE(SameRequest(**rec, "POST", "/api/v1/rounds", "hash-c"));  // the server's 422
  EXPECT_FALSE(SameRequest(**rec, "PUT", "/api/v1/rounds", "hash-a"));
  EXPECT_FALSE(SameRequest(**rec, "POST", "/api/v1/rounds/R2/close", "hash-a"));
  EXPECT_EQ((*rec)->status, 201);
  EXPECT_EQ((*rec)->response, R"({"id":"R1"})");
  EXPECT_EQ((*rec)->location, "/api/v1/rounds/R1");
  EXPECT_FALSE(store_->Read([](Reader& r) { return r.FindIdempotency(1, "key-2"); })->has_value());

  ASSERT_TRUE(store_->Write([](WriteTx& tx) { return tx.ForgetAnswersBefore(std::time(nullptr) - 86400); }).ok());
  EXPECT_TRUE(store_->Read([](Reader& r) { return r.FindIdempotency(1, "key-1"); })->has_value());
  ASSERT_TRUE(store_->Write([](WriteTx& tx) { return tx.ForgetAnswersBefore(std::time(nullptr) + 10); }).ok());
  EXPECT_FALSE(store_->Read([](Reader& r) { return r.FindIdempotency(1, "key-1"); })->has_value());
}

QGRANT_STORE_BACKENDS(WriteTest);

}  // namespace
}  // namespace qgrant::store::testing

namespace qgrant::store::testing {
namespace {

// While the writer is busy with a slow job, the jobs queued behind it commit together in one
// transaction; the failing one among them rolls back alone.
TEST(SqliteGroupCommitTest, QueuedJobsShareOneCommitAndAFailureRollsBackAlone) {
  const std::string dir = ::testing::TempDir() + "qgrant_group_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  {
    auto opened = OpenStore("sqlite:" + dir + "/g.db");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    Store& store = **opened;
    std::atomic<bool> slow_started{false};
    std::thread slow([&] {
      ASSERT_TRUE(store
                      .Write([&](WriteTx& tx) {
                        slow_started = true;
                        std::this_thread::sleep_for(std::chrono::milliseconds(400));
                        return tx.Audit(Event("slow:0", 0)).status();
                      })
                      .ok());
    });
    while (!slow_started) std::this_thread::yield();
    const auto before = store.write_stats();
    constexpr int kJobs = 10;
    std::vector<Status> results(kJobs);
    std::vector<std::thread> writers;
    for (int i = 0; i < kJobs; ++i) {
      writers.emplace_back([&, i] {
        results[i] = store.Write([&](WriteTx& tx) -> Status {
          QGRANT_RETURN_IF_ERROR(tx.Audit(Event("job:" + std::to_string(i), i)).status());
          return i == 4 ? Status::InvalidArgument("job 4 fails") : Status::Ok();
        });
      });
    }
    for (auto& w : writers) w.join();
    slow.join();
    const auto after = store.write_stats();
    EXPECT_EQ(after.jobs - before.jobs, kJobs + 1);
    EXPECT_EQ(after.commits - before.commits, 2);  // the slow job's, then all ten queued ones'
    for (int i = 0; i < kJobs; ++i) EXPECT_EQ(results[i].ok(), i != 4) << i;
    auto verdict = store.Read([](Reader& r) { return r.VerifyAudit(); });
    ASSERT_TRUE(verdict.ok());
    EXPECT_TRUE(verdict->ok);
    EXPECT_EQ(verdict->entries, kJobs);  // the slow one and nine of ten
    auto entries = store.Read([](Reader& r) { return r.AuditEntries(0, 100); });
    for (const AuditEntry& e : *entries) EXPECT_NE(e.object, "job:4");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace qgrant::store::testing

namespace qgrant::store::testing {
namespace {

using PostgresRetryTest = StoreTest;

// A row changed by another transaction after the job's snapshot makes the job's update fail to
// serialise (SQLSTATE 40001); the store runs the job again on a fresh snapshot, and it succeeds.
TEST_P(PostgresRetryTest, ASerializationFailureRunsTheJobAgain) {
  ASSERT_TRUE(InsertRound(*store_, "R1").ok());
  auto other = Raw();
  ASSERT_NE(other, nullptr);
  int attempts = 0;
  Status st = store_->Write([&](WriteTx& tx) -> Status {
    ++attempts;
    auto round = tx.GetRound("R1");  // fixes this attempt's snapshot
    if (!round.ok()) return round.status();
    if (attempts == 1) QGRANT_RETURN_IF_ERROR(other->Exec("UPDATE rounds SET title = 'other' WHERE id = 'R1'"));
    Round r = **round;
    r.budget_fen = 42;
    QGRANT_RETURN_IF_ERROR(tx.UpdateRound(&r));
    return tx.Audit(Event("round:R1", 42)).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(attempts, 2);
  auto round = store_->Read([](Reader& r) { return r.GetRound("R1"); });
  EXPECT_EQ((*round)->budget_fen, 42);
  EXPECT_EQ((*round)->title, "other");  // the second attempt read the other transaction's change
  auto verdict = store_->Read([](Reader& r) { return r.VerifyAudit(); });
  EXPECT_EQ(verdict->entries, 2);  // the first attempt's audit entry was rolled back with it
}

// SQLite's single writer cannot fail to serialise: PostgreSQL only.
INSTANTIATE_TEST_SUITE_P(Backends, PostgresRetryTest, ::testing::Values("postgresql"), BackendName);

}  // namespace
}  // namespace qgrant::store::testing

namespace qgrant::store::testing {
namespace {

using GuardTest = StoreTest;

// An exception escaping a job fails that job alone; the store goes on writing and reading.
TEST_P(GuardTest, AJobThatThrowsFailsAloneAndTheStoreGoesOn) {
  Status st = store_->Write([](WriteTx& tx) -> Status {
    QGRANT_RETURN_IF_ERROR(tx.Audit(Event("round:R1", 0)).status());
    return nlohmann::json::parse("[]").at("missing").get<std::string>().empty() ? Status::Ok() : Status::Ok();
  });
  ASSERT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_NE(st.message().find("threw"), std::string::npos);
  Status read = store_->Read([](Reader&) -> Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(read.code(), Status::Code::kInternal);
  ASSERT_TRUE(store_->Write([](WriteTx& tx) { return tx.Audit(Event("round:R1", 1)).status(); }).ok());
  auto verdict = store_->Read([](Reader& r) { return r.VerifyAudit(); });
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->entries, 1);  // the throwing job's entry was rolled back
}

QGRANT_STORE_BACKENDS(GuardTest);

}  // namespace
}  // namespace qgrant::store::testing
