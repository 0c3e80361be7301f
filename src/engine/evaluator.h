// Evaluator: application -> decision under the rules in force (a RuleSet), in the order the
// contract fixes:
//   1. invalid input (every malformed field, with its path)      -> invalid
//   2. the policy's validity (clause （十四）) and cancelled measures -> ineligible
//   3. exclusions: not registered in Shenzhen, serious dishonesty -> ineligible, for every measure
//   4. non-monetary (（四）) and referral measures (（三）圳品, （五）) -> ineligible / referred
//   5. applicant kind, the guide's window, the measure's and the guide's conditions,
//      no double benefit (（十二）), first-time / one-time                -> ineligible, all reasons
//   6. the amount: the lower of the request and the ceiling; per item for certificates
// An eligible decision is recorded in the ledger at once, so that later applications of the
// same input (one round) are judged against it. The Evaluator itself is immutable and may be
// shared by threads; the Ledger is not.
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/string_hash.h"
#include "engine/application.h"
#include "engine/decision.h"
#include "engine/ledger.h"
#include "policy/model.h"

namespace qgrant::engine {

// An earlier funding that settling found, kept on the heap: it is rare, and an std::optional
// made every Precheck 216 bytes larger for each of the four a Precheck has (a round keeps
// thousands in flight, and clearing them touched every one).
class FoundEntry {
 public:
  FoundEntry& operator=(std::optional<LedgerEntry> found) {
    entry_ = found ? std::make_unique<LedgerEntry>(std::move(*found)) : nullptr;
    return *this;
  }
  explicit operator bool() const { return entry_ != nullptr; }
  const LedgerEntry& operator*() const { return *entry_; }
  const LedgerEntry* operator->() const { return entry_.get(); }
  void reset() { entry_.reset(); }

 private:
  std::unique_ptr<LedgerEntry> entry_;
};

// What can be decided from the application and the rules alone, before the ledger is read
// (Prepare), then what the ledger said (Settle), until the decision is put in words (Finish).
struct Precheck {
  Decision decision;  // complete when `done`
  bool done = false;
  const policy::Measure* measure = nullptr;
  std::vector<DecisionReason> failed;       // rules failed so far
  std::vector<std::string> missing;         // facts missing so far (screening)
  std::optional<expr::Value> amount_value;  // the amount formula's value, when it has one
  // The ledger keys, hashed ahead so that settling, which runs in input order, only probes.
  uint64_t subject_hash = 0;  // (uscc, subject)
  uint64_t level_hash = 0;    // (uscc, measure)
  // One per item of a per-item measure.
  struct ItemCheck {
    uint64_t subject_hash = 0, item_hash = 0;
    bool repeated = false;  // the same key earlier in the application
    enum class Result {
      kPaid,
      kRepeated,
      kDoubleBenefit,
      kFunded,
      kBeforePolicy,
      kLimitReached
    } result = Result::kPaid;
    std::optional<LedgerEntry> entry;  // what funded it before
    int64_t amount_fen = 0;
  };
  std::vector<ItemCheck> items;

  // Settle's findings.
  enum class Settled { kNo, kIneligible, kUndetermined, kAmountError, kNothingPayable, kPaid };
  Settled settled = Settled::kNo;
  bool subject_checked = false, level_checked = false;
  FoundEntry subject_entry, level_entry;  // the earlier funding found
  FoundEntry round_entry;                 // the unit's earlier eligible application of the round (（六）)
  FoundEntry honour_entry;                // the honour already paid to its organiser (（十）)
  int64_t cap_fen = 0;                    // the ceiling for the level
  int64_t base_fen = 0;                   // what may be paid before the request lowers it
  int64_t earlier_fen = 0;                // received at lower levels, when an upgrade pays the difference

  // Back to a fresh Precheck, keeping the buffers of its strings and vectors (batches reuse
  // their Prechecks). Every member above is reset here. A Precheck that no application has used
  // since is not gone through again (a batch clears its Prechecks when written, and Prepare
  // clears the one it is given).
  void Clear();
  bool used = false;  // set by Evaluator::Prepare
};

// Reasons whose words depend on a small number (how many days before a date, how many items),
// made on first use and kept: Get(i, make) gives the i-th (i below the size it was made with),
// calling make() once for it. Safe on many threads; a reason, once made, is never moved.
class KeptReasons {
 public:
  explicit KeptReasons(size_t size) : made_(std::make_unique<std::atomic<const FixedReason*>[]>(size)) {}
  template <typename Make>
  const FixedReason& Get(size_t i, Make make) const {
    std::atomic<const FixedReason*>& slot = made_[i];
    if (const FixedReason* made = slot.load(std::memory_order_acquire)) return *made;
    std::lock_guard<std::mutex> lock(mu_);
    if (const FixedReason* made = slot.load(std::memory_order_relaxed)) return *made;  // another thread's
    const FixedReason* made = &kept_.emplace_back(make());
    slot.store(made, std::memory_order_release);
    return *made;
  }

 private:
  std::unique_ptr<std::atomic<const FixedReason*>[]> made_;
  mutable std::mutex mu_;
  mutable std::deque<FixedReason> kept_;
};

// The values of the conditions that read one fact and the policy's data
// (policy::Condition::memo_fact), kept by the fact's value when it is a string: a round's worker
// keeps one per Evaluator, so that a condition is evaluated once per value the fact takes rather
// than once per application. Not shared between threads. At most kMostKept values are kept per
// condition (an open list's values are as many as the input makes); beyond that, a condition is
// evaluated as before.
class ConditionMemo {
 public:
  const expr::Value* Find(const policy::Condition& c, std::string_view fact) const;
  void Keep(const policy::Condition& c, std::string_view fact, const expr::Value& value);
  static constexpr size_t kMostKept = 1024;

 private:
  std::unordered_map<const policy::Condition*,
                     std::unordered_map<std::string, expr::Value, StringHash, std::equal_to<>>>
      kept_;
};

class Evaluator {
 public:
  explicit Evaluator(const policy::RuleSet& rules);

  // Decides `app` and, if eligible, records what it funds in `ledger`. With `explain`, every
  // rule applied is added to the decision's trace. The decision may refer to reasons held by
  // this Evaluator (FixedReason): use it while the Evaluator lives.
  Decision Decide(const Application& app, Ledger* ledger, bool explain) const;

  // The same in steps, for batches: Prepare() may run on many threads at once (it reads only
  // the application and the rules); Settle() must then run in input order, as it reads and
  // writes the ledger, and does no more than that; Finish() puts the decision in words and may
  // again run on any thread. Complete() is Settle() then Finish(). The decision is in
  // pre->decision afterwards.
  // `memo`, when given, keeps the values of conditions that read one fact (ConditionMemo).
  void Prepare(const Application& app, bool explain, Precheck* pre, ConditionMemo* memo = nullptr) const;
  void Settle(const Application& app, Precheck* pre, Ledger* ledger) const;
  // Starts loading the index slots Settle() will read for `pre`: called a few applications
  // ahead, the in-order step finds them in cache. Only a hint.
  void Prefetch(const Precheck& pre, const Ledger& ledger) const {
    if (pre.done) return;
    ledger.Prefetch(pre.subject_hash, pre.level_hash);
    for (const auto& item : pre.items) ledger.PrefetchItem(item.subject_hash, item.item_hash);
  }
  void Finish(const Application& app, Precheck* pre, bool explain) const;
  void Complete(const Application& app, Precheck* pre, Ledger* ledger, bool explain) const;

  // JSON members appended to every decision: the policy, its version and amendments, the
  // guide, and the date the rules were applied — what an auditor needs to reproduce it.
  const std::string& provenance() const { return provenance_; }

  const policy::RuleSet& rules() const { return rules_; }

  // Texts that depend only on the measure and level, made once rather than per decision: the
  // eligible reason with {level} filled in, the amount reason when the ceiling is paid, and the
  // ceiling in words, which other amount reasons cite.
  struct LevelTexts {
    FixedReason eligible;
    FixedReason ceiling_paid;
    FixedReason per_item;  // an item paid its full ceiling
    int64_t cap_fen = 0;   // the policy's ceiling for the level (a guide may set another)
    policy::Text ceiling;  // "上限…" / "ceiling …" of cap_fen
  };
  const LevelTexts* Texts(const policy::Measure& m, const std::string& level) const;
  // The reason of a failed condition or exclusion, made once.
  const FixedReason& Reason(const policy::Condition& c) const;
  // A measure's qualitative condition in words, made once: found by the experts (passed), or
  // still theirs to judge. Null for a measure without one.
  const FixedReason* ReviewReason(const policy::Measure& m, bool passed) const;
  // The reason a measure does not support an applicant kind, made once per measure and kind.
  const FixedReason& KindNotAllowed(const policy::Measure& m, const std::string& kind) const;
  // The reason an achievement obtained on `obtained_on`, before the first day the measures fund,
  // is not funded: made once per date, on first use, for the kBeforePolicyDays days before that
  // day (a round meets a few hundred such dates, and a fifth of a typical input is one of them).
  // Null for an earlier date, or one not before the first day.
  const FixedReason* BeforePolicyReason(policy::Date obtained_on) const;
  static FixedReason BeforePolicyText(policy::Date obtained_on, policy::Date from);
  // A per-item measure's amount when `payable` items are each paid the full ceiling, made once
  // per count (up to kKeptItemCounts; null beyond, or for a measure that is not per item).
  const FixedReason* ItemsCeilingReason(const policy::Measure& m, int payable) const;
  static FixedReason ItemsCeilingText(int payable, int64_t per_item_fen, int64_t total_fen);
  // The reason a referral measure refers, or a non-monetary one pays nothing (null for another).
  const FixedReason* MeasureReason(const policy::Measure& m) const;
  // The value of a condition that reads only the applicant's yes/no fields
  // (Condition::reads_only_applicant_flags) for `app`, worked out once per state of the two;
  // null for another condition.
  const expr::Value* FlagsValue(const policy::Condition& c, const Application& app) const;

 private:
  const policy::RuleSet& rules_;
  std::string provenance_;
  // By measure, then by level (a handful each): looked up for every eligible decision.
  std::unordered_map<const policy::Measure*, std::vector<std::pair<std::string, LevelTexts>>> texts_;
  std::unordered_map<const policy::Condition*, FixedReason> condition_reasons_;
  std::unordered_map<const policy::Measure*, std::pair<FixedReason, FixedReason>> review_reasons_;  // passed, to judge
  std::unordered_map<const policy::Measure*, std::vector<std::pair<std::string, FixedReason>>> kind_reasons_;
  static FixedReason KindText(const policy::Measure& m, const std::string& kind);
  mutable std::mutex extra_mu_;
  mutable std::deque<FixedReason> extra_kind_reasons_;
  // BeforePolicyReason's, by days before the first funded day (0 for the day before).
  static constexpr int32_t kBeforePolicyDays = 4 * 366;
  KeptReasons before_policy_{kBeforePolicyDays};
  // ItemsCeilingReason's, by measure, then by count (0 for one item).
  static constexpr int kKeptItemCounts = 64;
  std::unordered_map<const policy::Measure*, std::unique_ptr<KeptReasons>> items_ceiling_;
  std::unordered_map<const policy::Measure*, FixedReason> measure_reasons_;  // MeasureReason's
  // FlagsValue's, by condition (a policy has a few: its exclusions), then by the state of
  // registered_in_shenzhen times 3 plus that of serious_dishonesty (0 false, 1 true, 2 unknown).
  std::vector<std::pair<const policy::Condition*, std::array<expr::Value, 9>>> flags_values_;
  void WorkOutFlagsValues(const policy::Condition& c);
};

}  // namespace qgrant::engine
