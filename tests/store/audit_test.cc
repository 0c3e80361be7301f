#include "store/audit.h"

#include "store/crypto.h"
#include "store/jcs.h"
#include "store_fixture.h"

namespace qgrant::store::testing {
namespace {

constexpr const char* kFixedAt = "2026-12-04T08:00:00.000+08:00";

class AuditTest : public StoreTest {
 protected:
  // Five entries, seq 1…5, each with after = {"n": seq - 1}.
  void WriteFive() {
    store_.reset();
    StoreOptions options;
    options.clock = [] { return std::string(kFixedAt); };
    store_ = Open(options);
    ASSERT_NE(store_, nullptr);
    for (int n = 0; n < 5; ++n) {
      Status st = store_->Write([&](WriteTx& tx) { return tx.Audit(Event("round:R1", n)).status(); });
      ASSERT_TRUE(st.ok()) << st.message();
    }
  }

  AuditVerdict Verify() {
    auto v = store_->Read([](Reader& r) { return r.VerifyAudit(); });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : AuditVerdict{};
  }

  void DropTriggers() {
    if (postgres()) {
      RawExec("DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_truncate ON audit_log");
    } else {
      RawExec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
    }
  }
};

TEST_P(AuditTest, FirstHashIsSha256OfZerosAndTheCanonicalTuple) {
  WriteFive();
  auto entries = store_->Read([](Reader& r) { return r.AuditEntries(0, 10); });
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 5u);
  const AuditEntry& first = (*entries)[0];
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.at, kFixedAt);
  EXPECT_EQ(first.prev_hash, std::string(64, '0'));
  // sha256sum of the 64 zeros followed by
  // [1,"2026-12-04T08:00:00.000+08:00","tester","test.write","round:R1",null,{"n":0}]
  EXPECT_EQ(first.hash, "b0333721d1434f6b8e5e58804cfcb06becb29bf15875a4cc606b3c2dd897dbf1");
  for (size_t i = 1; i < entries->size(); ++i) {
    EXPECT_EQ((*entries)[i].seq, int64_t(i + 1));
    EXPECT_EQ((*entries)[i].prev_hash, (*entries)[i - 1].hash);
  }
  const AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.entries, 5);
  EXPECT_EQ(v.head, entries->back().hash);
}

TEST_P(AuditTest, RealClockWritesShanghaiInstants) {
  ASSERT_TRUE(store_->Write([](WriteTx& tx) { return tx.Audit(Event("round:R1", 0)).status(); }).ok());
  auto head = store_->Read([](Reader& r) { return r.AuditHead(); });
  ASSERT_TRUE(head.ok() && head->has_value());
  const std::string& at = (*head)->at;
  ASSERT_EQ(at.size(), 29u) << at;
  EXPECT_EQ(at.substr(at.size() - 6), "+08:00");
  EXPECT_EQ(at[10], 'T');
}

TEST_P(AuditTest, TriggersRefuseUpdateAndDelete) {
  WriteFive();
  auto raw = Raw();
  EXPECT_FALSE(raw->Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").ok());
  EXPECT_FALSE(raw->Exec("DELETE FROM audit_log WHERE seq = 5").ok());
  EXPECT_TRUE(Verify().ok);
}

TEST_P(AuditTest, CatchesAnEditedRow) {
  WriteFive();
  DropTriggers();
  RawExec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
  const AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 3);
  EXPECT_EQ(v.reason, "hash does not match the entry's contents");
}

TEST_P(AuditTest, CatchesAnEditOfTheJsonSpelling) {
  WriteFive();
  DropTriggers();
  RawExec("UPDATE audit_log SET after_json = '{\"n\": 1}' WHERE seq = 2");
  const AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 2);
}

TEST_P(AuditTest, CatchesADeletedRow) {
  WriteFive();
  DropTriggers();
  RawExec("DELETE FROM audit_log WHERE seq = 2");
  const AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 2);
  EXPECT_EQ(v.reason, "missing (the next stored entry is 3)");
}

// The forger knows the algorithm: the inserted row's own hash is right, but the next entry's
// prev_hash still names the row that was there before.
TEST_P(AuditTest, CatchesAnInsertedRowWithAValidOwnHash) {
  WriteFive();
  DropTriggers();
  RawExec("UPDATE audit_log SET seq = seq + 10 WHERE seq >= 3");
  RawExec("UPDATE audit_log SET seq = seq - 9 WHERE seq >= 13");
  auto entries = store_->Read([](Reader& r) { return r.AuditEntries(0, 2); });
  ASSERT_TRUE(entries.ok());
  AuditEntry forged{
      3, kFixedAt, "mallory", "payment.pay", "payment:1", nullptr, nlohmann::json{{"n", 99}}, (*entries)[1].hash, ""};
  forged.hash = *AuditHash(forged);
  RawExec(
      "INSERT INTO audit_log (seq, at, actor, action, object, before_json, after_json, prev_hash, hash) "
      "VALUES (3, '" +
      std::string(kFixedAt) +
      "', 'mallory', 'payment.pay', 'payment:1', 'null', "
      "'{\"n\":99}', '" +
      forged.prev_hash + "', '" + forged.hash + "')");
  const AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 4);
  EXPECT_EQ(v.reason, "prev_hash is not the hash of entry 3");
}

TEST_P(AuditTest, RefusesBeforeOrAfterThatIsNotAnObject) {
  Status st = store_->Write([](WriteTx& tx) {
    return tx.Audit({"tester", "x", "round:R1", nlohmann::json::array(), nullptr}).status();
  });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(store_->Read([](Reader& r) { return r.AuditHead(); })->has_value());
}

TEST(AuditChainCheckerTest, EmptyChainIsOkWithZeroHead) {
  AuditChainChecker checker;
  EXPECT_TRUE(checker.verdict().ok);
  EXPECT_EQ(checker.verdict().entries, 0);
  EXPECT_EQ(checker.verdict().head, std::string(64, '0'));
}

TEST(AuditChainCheckerTest, FirstEntryMustStartFromZeros) {
  AuditChainChecker checker;
  EXPECT_FALSE(checker.Add(1, kFixedAt, "a", "b", "c:d", "null", "null", std::string(64, '1'), "x"));
  EXPECT_EQ(checker.verdict().bad_seq, 1);
  EXPECT_EQ(checker.verdict().reason, "prev_hash is not 64 zeros");
}

QGRANT_STORE_BACKENDS(AuditTest);

}  // namespace
}  // namespace qgrant::store::testing
