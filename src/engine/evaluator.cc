#include "engine/evaluator.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "common/concat.h"
#include "expr/time_util.h"
#include "policy/loader.h"
#include "policy/words.h"

namespace qgrant::engine {

using policy::Measure;
using policy::OnceRule;
using policy::Support;
using policy::Text;

namespace {

// The variables of policy expressions for one application (see policy/compile.h). Values are
// built on first use: most measures read only a few of them.
class ApplicationActivation : public expr::Activation {
 public:
  ApplicationActivation(const Application& app, const policy::RuleSet& rules) : app_(app), rules_(rules) {}

  // applicant.x and has(applicant.x) without building the applicant map (as Applicant() would
  // make it): the exclusions read it for every application, and a guide's conditions often.
  Field FindField(std::string_view name, std::string_view field, expr::Value* out) const override {
    if (name != "applicant" || applicant_) return Field::kNotOffered;
    for (const auto& fact : app_.applicant_facts) {  // declared facts replace computed ones
      if (fact.first == field) return Found(fact.second, out);
    }
    if (field == "registered_in_shenzhen")
      return Found(Known("applicant.registered_in_shenzhen", expr::Value::Bool(app_.registered_in_shenzhen)), out);
    if (field == "serious_dishonesty")
      return Found(Known("applicant.serious_dishonesty", expr::Value::Bool(app_.serious_dishonesty)), out);
    if (field == "kind") return Found(Known("applicant.kind", expr::Value::String(app_.kind)), out);
    if (field == "uscc") return Found(Known("applicant.uscc", expr::Value::String(app_.uscc)), out);
    if (field == "name") return Found(Known("applicant.name", expr::Value::String(app_.name)), out);
    if (field == "established_on" || field == "years_operating") {
      if (app_.established_on) return Found(EstablishedField(field), out);
      if (app_.partial) return Found(expr::Value::Unknown({"applicant.established_on"}), out);
      return Field::kAbsent;
    }
    if (field == "district") {
      if (!app_.district.empty()) return Found(expr::Value::String(app_.district), out);
      if (app_.partial) return Found(expr::Value::Unknown({"applicant.district"}), out);
    }
    return Field::kAbsent;
  }

  const expr::Value* Find(std::string_view name) const override {
    if (name == "facts") return &app_.facts;
    if (name == "data") return &rules_.data;
    if (name == "applicant") return Cached(&applicant_, [&] { return Applicant(); });
    if (name == "measure") return Cached(&measure_, [&] { return expr::Value::String(app_.measure); });
    if (name == "subject")
      return Cached(&subject_, [&] { return Known("subject", expr::Value::String(app_.subject)); });
    if (name == "obtained_on") {
      return Cached(&obtained_on_, [&] { return Known("obtained_on", DateValue(app_.obtained_on)); });
    }
    if (name == "as_of") return Cached(&as_of_, [&] { return DateValue(rules_.as_of); });
    if (name == "requested_fen") {
      return Cached(&requested_,
                    [&] { return app_.requested_fen ? expr::Value::Int(*app_.requested_fen) : expr::Value::Null(); });
    }
    if (name == "year") {
      return Cached(&year_, [&] {
        if (rules_.guide) return expr::Value::Int(rules_.guide->year);
        return expr::Value::Int(std::stoll(policy::FormatDate(rules_.as_of).substr(0, 4)));
      });
    }
    return nullptr;
  }

 private:
  // The value, or an unknown when the record does not give it (screening).
  expr::Value Known(const char* path, expr::Value v) const {
    return app_.IsUnknown(path) ? expr::Value::Unknown({path}) : std::move(v);
  }

  template <typename F>
  static const expr::Value* Cached(std::optional<expr::Value>* slot, F make) {
    if (!*slot) *slot = make();
    return &**slot;
  }

  expr::Value Applicant() const {
    // Field names are made once; each application only makes its values.
    static const expr::Value kUscc = expr::Value::String("uscc"), kName = expr::Value::String("name"),
                             kKind = expr::Value::String("kind"),
                             kRegistered = expr::Value::String("registered_in_shenzhen"),
                             kDishonesty = expr::Value::String("serious_dishonesty"),
                             kEstablished = expr::Value::String("established_on"),
                             kYears = expr::Value::String("years_operating"),
                             kDistrict = expr::Value::String("district");
    std::vector<std::pair<expr::Value, expr::Value>> e;
    e.reserve(8);
    e.emplace_back(kUscc, Known("applicant.uscc", expr::Value::String(app_.uscc)));
    e.emplace_back(kName, Known("applicant.name", expr::Value::String(app_.name)));
    e.emplace_back(kKind, Known("applicant.kind", expr::Value::String(app_.kind)));
    e.emplace_back(kRegistered,
                   Known("applicant.registered_in_shenzhen", expr::Value::Bool(app_.registered_in_shenzhen)));
    e.emplace_back(kDishonesty, Known("applicant.serious_dishonesty", expr::Value::Bool(app_.serious_dishonesty)));
    if (app_.established_on) {
      e.emplace_back(kEstablished, EstablishedField("established_on"));
      e.emplace_back(kYears, EstablishedField("years_operating"));
    } else if (app_.partial) {
      e.emplace_back(kEstablished, expr::Value::Unknown({"applicant.established_on"}));
      e.emplace_back(kYears, expr::Value::Unknown({"applicant.established_on"}));
    }
    if (!app_.district.empty()) {
      e.emplace_back(kDistrict, expr::Value::String(app_.district));
    } else if (app_.partial) {
      e.emplace_back(kDistrict, expr::Value::Unknown({"applicant.district"}));
    }
    // Declared applicant facts; one given outright (years_operating) replaces the computed one.
    for (const auto& fact : app_.applicant_facts) {
      auto same =
          std::find_if(e.begin(), e.end(), [&](const auto& kv) { return kv.first.string_value() == fact.first; });
      if (same != e.end())
        same->second = fact.second;
      else
        e.emplace_back(expr::Value::String(fact.first), fact.second);
    }
    std::string err;
    return expr::Value::Map(expr::MapValue::Make(std::move(e), &err));
  }

  static Field Found(expr::Value v, expr::Value* out) {
    *out = std::move(v);
    return Field::kFound;
  }

  // The applicant's established_on or years_operating, when the application gives the date.
  expr::Value EstablishedField(std::string_view field) const {
    if (field == "established_on") return DateValue(*app_.established_on);
    // Years in operation when the unit applied (CONTRACT §2: conditions of applying are judged on
    // submitted_on when given), not at a later evaluation such as the round's allocation.
    return expr::Value::Int(FullYears(*app_.established_on, app_.submitted_on.value_or(rules_.as_of)));
  }

  // Whole years from `from` to `to` (an anniversary counts on its day).
  static int64_t FullYears(policy::Date from, policy::Date to) {
    // No year has more than 366 days, so this many have surely passed; then a step or two on.
    int64_t years = std::clamp<int64_t>((to.days - from.days) / 366, 0, 1000);
    while (years < 1000 && policy::AddYears(from, static_cast<int>(years + 1)) <= to) ++years;
    return years;
  }

  const Application& app_;
  const policy::RuleSet& rules_;
  mutable std::optional<expr::Value> applicant_, measure_, subject_, obtained_on_, as_of_, requested_, year_;
};

std::string Substitute(std::string text, const std::string& level_name) {
  size_t p = text.find("{level}");
  if (p != std::string::npos) text.replace(p, 7, level_name);
  return text;
}

// A level the policy does not name is the applicant's value, quoted as data after the measure's
// title: no machine id in a sentence (CONTRACT §6, "Words").
Text LevelName(const Measure& m, const std::string& level) {
  auto it = m.level_names.find(level);
  if (it != m.level_names.end()) return it->second;
  return {m.title.zh + "「" + level + "」", m.title.en + " \"" + level + "\""};
}

int64_t CeilingFor(const Measure& m, const std::string& level) {
  switch (m.ceiling.kind) {
    case policy::Ceiling::Kind::kFixed:
    case policy::Ceiling::Kind::kPerItem:
      return m.ceiling.fixed_fen;
    case policy::Ceiling::Kind::kByLevel:
      for (const auto& [l, fen] : m.ceiling.by_level) {
        if (l == level) return fen;
      }
      return 0;
  }
  return 0;
}

// The rank of a level in the ceiling table: 0 is the highest.
int LevelRank(const Measure& m, const std::string& level) {
  for (size_t i = 0; i < m.ceiling.by_level.size(); ++i) {
    if (m.ceiling.by_level[i].first == level) return static_cast<int>(i);
  }
  return -1;
}

// The earlier funding an entry records, in words: "2022年3月1日获得的中国质量奖提名奖（「CQA-2021-nominee」）".
Text EntryWords(const policy::RuleSet& rules, const LedgerEntry& e) {
  const Measure* m = rules.FindMeasure(e.measure);
  Text what =
      m == nullptr ? Text{"同一事项", "the same subject"} : (e.level.empty() ? m->title : LevelName(*m, e.level));
  if (e.in_round) {
    const std::string ref = e.application_id.empty() ? std::string() : "（申请编号 " + e.application_id + "）";
    const std::string ref_en = e.application_id.empty() ? std::string() : " (application " + e.application_id + ")";
    return {"本轮较早的申请" + ref + "已就" + what.zh + "「" + e.subject + "」认定符合条件（尚未拨付）",
            "an earlier application of this round" + ref_en + " was found eligible for " + what.en + " \"" + e.subject +
                "\" (not yet paid)"};
  }
  const bool dated = e.granted_on.days != 0;
  return {(dated ? policy::DateZh(e.granted_on) : std::string("此前")) + "获得的" + what.zh + "「" + e.subject + "」",
          what.en + " \"" + e.subject + "\"" + (dated ? " granted on " + policy::DateEn(e.granted_on) : std::string())};
}

// The policy that paid an entry, for clause （十二）: this one, or another Shenzhen policy named by its id.
Text PayerWords(const policy::RuleSet& rules, const LedgerEntry& e) {
  if (e.policy == rules.policy->id) return {"本措施", "these measures"};
  return {"深圳市其他支持政策（" + e.policy + "）", "another Shenzhen policy (" + e.policy + ")"};
}

// That an entry funded something already, as a clause: "已获本措施资助（…）" for a ledger entry;
// for an earlier application of this round, which is found eligible but not paid, what it was
// found eligible for.
Text AlreadyFundedWords(const policy::RuleSet& rules, const LedgerEntry& e) {
  const Text what = EntryWords(rules, e);
  if (e.in_round) return {"：" + what.zh, ": " + what.en};
  const Text payer = PayerWords(rules, e);
  return {" 已获" + payer.zh + "资助（" + what.zh + "）",
          " was already funded under " + payer.en + " (" + what.en + ")"};
}

// The ceiling in words, as the amount's reasons cite it.
Text CeilingText(int64_t cap) { return {Concat("上限", YuanZh(cap)), Concat("ceiling ", YuanEn(cap))}; }

Text CeilingPaidText(int64_t cap) {
  return {"按上限" + YuanZh(cap) + "核定资助" + YuanZh(cap), YuanEn(cap) + " is paid: the ceiling " + YuanEn(cap)};
}

Text EligibleTextFor(const Measure& m, const std::string& level) {
  Text name = m.level_fact.empty() ? Text{} : LevelName(m, level);
  return {Substitute(m.eligible_reason.text.zh, name.zh), Substitute(m.eligible_reason.text.en, name.en)};
}

// Decides one application in two phases: Stateless() applies every rule that needs only the
// application and the rules (and may run on any thread), WithLedger() the rules that need the
// ledger, in input order. The state between them is the Precheck.
class Decider {
 public:
  Decider(const Evaluator& evaluator, const Application& app, bool explain, Precheck* pre,
          ConditionMemo* memo = nullptr)
      : evaluator_(evaluator),
        memo_(memo),
        rules_(evaluator.rules()),
        app_(app),
        explain_(explain),
        pre_(pre),
        d_(&pre->decision),
        missing_(pre->missing),
        failed_(pre->failed),
        activation_(app, rules_) {}

  void Stateless() {
    d_->id = app_.id;
    d_->measure = app_.measure;
    d_->uscc = app_.uscc;
    d_->subject = app_.subject;
    d_->line = app_.line;
    const Measure* m = FoundMeasure();
    if (m) {
      d_->clause = m->clause;
      d_->level = app_.level;
    }
    if (!app_.errors.empty()) return Invalid();
    // The policy's validity and the guide's window are judged on the day the application was
    // submitted, when it says (CONTRACT §2 submitted_on), else on the evaluation date.
    const policy::Date judged_on = app_.submitted_on.value_or(rules_.as_of);
    if (!InForce(judged_on)) return Ineligible({NotInForce(judged_on)});
    if (m == nullptr) return Ineligible({Cancelled()});
    // Exclusions come first and apply to every measure, referrals included.
    // The exclusions that fail go where failed conditions will (empty until here).
    for (const auto& c : rules_.policy->exclusions) {
      if (Holds(c, "exclusion") == Truth::kFalse) Add(&failed_, evaluator_.Reason(c));
    }
    if (policy_error_) return PolicyError();
    if (!failed_.empty()) return Ineligible(std::move(failed_));
    // An exclusion that cannot be decided leaves everything open, a referral included.
    if (!missing_.empty()) return Undetermined();

    if (m->support == Support::kNonMonetary) {
      Add(&failed_, *evaluator_.MeasureReason(*m));
      return Ineligible(std::move(failed_));
    }
    pre_->measure = m;
    CheckKind(*m);
    if (m->support == Support::kReferral) return Refer(*m);
    CheckWindow(judged_on);
    if (m->once != OnceRule::kPerItem && app_.obtained_on < rules_.achievements_from) failed_.push_back(BeforePolicy());
    for (const auto& c : m->conditions) {
      if (Holds(c, "condition") == Truth::kFalse) Add(&failed_, evaluator_.Reason(c));
    }
    if (rules_.guide) {
      auto it = rules_.guide->conditions.find(m->id);
      if (it != rules_.guide->conditions.end()) {
        for (const auto& c : it->second) {
          if (Holds(c, "guide_condition") == Truth::kFalse) Add(&failed_, evaluator_.Reason(c));
        }
      }
    }
    if (m->review && app_.review_passed == false) failed_.push_back(ReviewNotPassed(*m));
    // The amount formula reads only the application; evaluate it here when it can matter.
    if (m->amount && failed_.empty() && missing_.empty())
      pre_->amount_value = m->amount->program->Evaluate(activation_);
    if (pre_->amount_value && pre_->amount_value->is_error())
      NotePolicyError(*m->amount, pre_->amount_value->error_message());
    if (policy_error_) return PolicyError();
    HashKeys(*m);
  }

  // The ledger's rules, in input order: look up, decide, record what is funded. Only numbers and
  // the ledger entries found are kept; Finish() puts them in words, on any thread.
  void Settle(Ledger* ledger) {
    ledger_ = ledger;
    const Measure* m = pre_->measure;
    // Clause （十二）: not twice together with other Shenzhen support for the same thing.
    if (app_.IsUnknown("subject") || app_.IsUnknown("applicant.uscc")) {
      Missing(app_.IsUnknown("subject") ? "subject" : "applicant.uscc");
    } else {
      pre_->subject_checked = true;
      pre_->subject_entry = ledger_->FindSubject(app_.uscc, app_.subject_key, pre_->subject_hash);
    }
    bool level_unknown = false;
    if (!app_.unknown.empty()) {  // screening: the facts the ledger keys need may be missing
      level_unknown = !m->level_fact.empty() && app_.IsUnknown("facts." + m->level_fact);
      if (level_unknown) Missing("facts." + m->level_fact);
      if (m->once == OnceRule::kPerItem && app_.IsUnknown("facts." + m->items_fact)) Missing("facts." + m->items_fact);
    }
    if ((m->once == OnceRule::kFirstTime || m->once == OnceRule::kOneTime) && !level_unknown) {
      pre_->level_checked = true;
      pre_->level_entry = EarlierAward(*m);
    }
    if (m->once_per_unit_in_round) pre_->round_entry = EarlierInRound(*m);
    if (m->subject_paid_once) {
      pre_->honour_entry = ledger_->FindItem(m->id, app_.subject_key);
    }
    const int64_t cap =
        m->ceiling.kind == policy::Ceiling::Kind::kByLevel ? CeilingFor(*m, app_.level) : m->ceiling.fixed_fen;
    pre_->cap_fen = cap;
    if (!failed_.empty() || pre_->subject_entry || pre_->level_entry || pre_->round_entry || pre_->honour_entry) {
      d_->cap_fen = m->once == OnceRule::kPerItem ? CheckedProduct(cap, app_.items.size()) : cap;
      return Settled(Precheck::Settled::kIneligible, Outcome::kIneligible);
    }
    // Nothing failed, but a missing fact could still fail a rule: never eligible on a guess.
    if (!missing_.empty()) return Settled(Precheck::Settled::kUndetermined, Outcome::kUndetermined);
    if (m->once == OnceRule::kPerItem) return SettleItems(*m);
    SettleAmount(*m, cap);
  }

  void DoubleBenefitWords() {
    const auto& e = pre_->subject_entry;
    if (!e) {
      if (explain_) {
        Trace("ledger", "double_benefit", "四（十二）", "", "", true,
              {"台账中无同一单位同一事项的资助记录", "No earlier funding of this unit for this subject"});
      }
      return;
    }
    const Text payer = PayerWords(rules_, *e);
    const bool dated = e->granted_on.days != 0 && !e->in_round;
    const std::string when_zh = dated ? "已于" + policy::DateZh(e->granted_on) : std::string("已");
    const std::string when_en = dated ? " on " + policy::DateEn(e->granted_on) : std::string();
    // An earlier application of the round is found eligible, not paid: it is said so.
    Text funded{"该单位" + when_zh + "就同一事项「" + e->subject + "」获得" + payer.zh + "资助",
                "The unit was already funded for the same subject \"" + e->subject + "\" under " + payer.en + when_en};
    if (e->in_round) {
      funded = EntryWords(rules_, *e);  // "本轮较早的申请…认定符合条件（尚未拨付）", "an earlier application…"
      funded.en[0] = 'A';
    }
    Text t{funded.zh + "，依据第（十二）条，本措施与深圳市其他支持政策不得重复享受",
           funded.en + "; item (12) forbids enjoying these measures and other Shenzhen support twice"};
    if (explain_) Trace("ledger", "double_benefit", "四（十二）", "", e->policy, false, t);
    failed_.push_back({"double_benefit", t, ""});
  }

  void OnceWords(const Measure& m) {
    const bool first = m.once == OnceRule::kFirstTime;
    const auto& e = pre_->level_entry;
    if (!e) {
      if (explain_) {
        Trace("ledger", first ? "first_time" : "one_time", m.clause, "", "", true,
              {"台账中无该单位此措施（等次）的奖励记录", "No earlier award of this measure (level) to this unit"});
      }
      return;
    }
    const bool by_measure = m.once_key == policy::OnceKey::kMeasure || m.level_fact.empty();
    const Text what = by_measure ? m.title : LevelName(m, app_.level);
    const Text earlier = EntryWords(rules_, *e);
    // The clause's own word for what it pays: （八）（十） 奖励 (an award), （九）（十一） 资助 (a grant).
    const bool award = m.text.zh.find("奖励") != std::string::npos;
    const std::string paid_zh = award ? "奖励" : "资助";
    Text t{first ? "非首次获得" + what.zh + "（" + earlier.zh + "），" + policy::CiteZh(m.clause) + "仅" + paid_zh +
                       "首次获得"
                 : what.zh + "为一次性" + paid_zh + "，已有" + earlier.zh + "（" + policy::CiteZh(m.clause) + "）",
           first ? what.en + " was not obtained for the first time (" + earlier.en + "); " + policy::CiteEn(m.clause) +
                       (award ? " rewards" : " funds") + " the first time only"
                 : what.en + " is a one-time " + (award ? "award" : "grant") + ", already received: " + earlier.en +
                       " (" + policy::CiteEn(m.clause) + ")"};
    if (explain_) Trace("ledger", first ? "first_time" : "one_time", m.clause, "", e->subject, false, t);
    failed_.push_back({first ? "not_first_time" : "already_received", t, ""});
  }

  // Sums of ceilings saturate rather than wrap (CONTRACT §6: sums are checked, never wrapped);
  // a saturated sum is far above any budget and is never paid in full.
  static int64_t SaturatingAdd(int64_t a, int64_t b) {
    int64_t out = 0;
    return __builtin_add_overflow(a, b, &out) ? INT64_MAX : out;
  }

  static int64_t CheckedProduct(int64_t per_item, size_t items) {
    int64_t out = 0;
    if (__builtin_mul_overflow(per_item, static_cast<int64_t>(items), &out)) return INT64_MAX;
    return out;
  }

  // The earlier award that a first-time or one-time rule finds: of the same level (the award and
  // its nomination are two honours), or of the measure at any level (the Mayor's award: the grade
  // only sets the amount). When a higher level pays the difference, only the same or a higher
  // level blocks.
  std::optional<LedgerEntry> EarlierAward(const Measure& m) {
    const bool by_measure = m.once_key == policy::OnceKey::kMeasure || m.level_fact.empty();
    if (!by_measure) return ledger_->FindLevel(app_.uscc, m.id, app_.level, pre_->level_hash);
    if (!UpgradePaysDifference(m)) return ledger_->FindLevel(app_.uscc, m.id, std::string_view(), pre_->level_hash);
    const int rank = LevelRank(m, app_.level);
    for (auto& e : ledger_->EntriesFor(app_.uscc, m.id)) {
      const int r = LevelRank(m, e.level);
      if (r < 0 || r <= rank) return std::move(e);
    }
    return std::nullopt;
  }

  bool UpgradePaysDifference(const Measure& m) const {
    return rules_.policy->upgrade_pays_difference && m.ceiling.kind == policy::Ceiling::Kind::kByLevel &&
           (m.once == OnceRule::kFirstTime || m.once == OnceRule::kOneTime);
  }

  // （六） pays "the unit": an eligible application of the same unit and measure earlier in this round.
  std::optional<LedgerEntry> EarlierInRound(const Measure& m) {
    return ledger_->FindInRound(app_.uscc, m.id, pre_->level_hash);
  }

  // Puts what Settle() decided in words: the reasons, the items and, when explaining, the trace.
  void Finish() {
    const Measure* m = pre_->measure;
    if (pre_->subject_checked) DoubleBenefitWords();
    if (pre_->level_checked) OnceWords(*m);
    if (const auto& e = pre_->round_entry) {
      Text t{"每个单位每轮只资助一项（" + policy::CiteZh(m->clause) + "资助“单位”）：" + EntryWords(rules_, *e).zh,
             "One grant per unit per round (" + policy::CiteEn(m->clause) +
                 " funds \"the unit\"): " + EntryWords(rules_, *e).en};
      if (explain_) Trace("ledger", "one_per_unit_per_round", m->clause, "", e->application_id, false, t);
      failed_.push_back({"unit_already_funded_in_round", t, ""});
    }
    if (const auto& e = pre_->honour_entry) {
      // An earlier application of the round is found eligible, not yet rewarded.
      Text t{"同一荣誉只奖励一个项目组织单位（" + policy::CiteZh(m->clause) + "）：" + EntryWords(rules_, *e).zh +
                 (e->in_round ? "" : "已获奖励"),
             "One honour is paid to one organising unit (" + policy::CiteEn(m->clause) +
                 "): " + EntryWords(rules_, *e).en + (e->in_round ? "" : " was already rewarded")};
      if (explain_) Trace("ledger", "subject_paid_once", m->clause, "", e->subject, false, t);
      failed_.push_back({"honour_already_funded", t, ""});
    }
    std::vector<DecisionReason>& failed = failed_;
    switch (pre_->settled) {
      case Precheck::Settled::kIneligible:
        return Ineligible(std::move(failed));
      case Precheck::Settled::kUndetermined:
        return Undetermined();
      case Precheck::Settled::kPaid:
      case Precheck::Settled::kNothingPayable:
        if (m->once == OnceRule::kPerItem) return ItemWords(*m);
        return AmountWords(*m);
      case Precheck::Settled::kAmountError: {
        const expr::Value& v = *pre_->amount_value;
        NotePolicyError(*m->amount, v.is_error() ? v.error_message() : "not an int");
        return PolicyError();
      }
      case Precheck::Settled::kNo:
        break;
    }
  }

 private:
  // Callers test explain_ first, so that the texts of a step are built only when explaining.
  void Trace(const char* rule, const std::string& id, const std::string& clause, const std::string& expr,
             const std::string& value, bool passed, const Text& detail) {
    d_->trace.push_back({rule, id, clause, expr, value, passed, detail});
  }

  bool InForce(policy::Date day) const {
    return rules_.policy->effective_from && rules_.valid_from <= day && day < rules_.valid_until;
  }

  DecisionReason NotInForce(policy::Date day) const {
    const policy::Date last{rules_.valid_until.days - 1};
    const bool submitted = app_.submitted_on.has_value();
    return {"policy_not_in_force",
            {"本措施自" + policy::DateZh(rules_.valid_from) + "起实施，有效期至" + policy::DateZh(last) +
                 "（第（十四）条）；" + (submitted ? "申报日期" : "评定日期") + policy::DateZh(day) + "不在有效期内",
             "The measures are in force from " + policy::DateEn(rules_.valid_from) + " to " + policy::DateEn(last) +
                 " (item (14)); the " + (submitted ? "submission" : "evaluation") + " date " + policy::DateEn(day) +
                 " is outside that period"},
            ""};
  }

  DecisionReason Cancelled() const {
    const std::string& by = rules_.cancelled.at(app_.measure);
    Text name{"修订文件", "an amendment"};
    policy::Date from;
    for (const auto& a : rules_.keep_alive) {
      if (a->id == by) {
        name = {"《" + a->title.zh + "》", a->title.en};
        from = a->effective_from;
      }
    }
    return {"measure_cancelled",
            {"该措施已由" + name.zh + "自" + policy::DateZh(from) + "起取消（第（十三）条）",
             "The measure was cancelled by " + name.en + " from " + policy::DateEn(from) + " (item (13))"},
            ""};
  }

  void CheckKind(const Measure& m) {
    if (app_.IsUnknown("applicant.kind")) return Missing("applicant.kind");
    const bool allowed = std::find(m.applicants.begin(), m.applicants.end(), app_.kind) != m.applicants.end();
    if (!allowed) {
      const FixedReason& r = evaluator_.KindNotAllowed(m, app_.kind);
      if (explain_) Trace("applicant_kind", "applicants", m.clause, "", app_.kind, false, r.text);
      Add(&failed_, r);
    } else if (explain_) {
      Trace("applicant_kind", "applicants", m.clause, "", app_.kind, true,
            {"申报单位类型符合", "Applicant kind allowed"});
    }
  }

  // Referral measures pay nothing here, but still only for the kinds they support.
  void Refer(const Measure& m) {
    if (!failed_.empty()) return Ineligible(std::move(failed_));
    if (!missing_.empty()) return Undetermined();
    d_->outcome = Outcome::kReferred;
    Add(&d_->reasons, *evaluator_.MeasureReason(m));
    if (explain_) Trace("referral", m.id, m.clause, "", "", true, m.referral);
    pre_->done = true;
  }

  void CheckWindow(policy::Date day) {
    const policy::Guide* g = rules_.guide.get();
    if (g == nullptr || !g->window_opens || !g->window_closes) return;
    const bool open = *g->window_opens <= day && day <= *g->window_closes;
    if (!explain_ && open) return;
    const bool submitted = app_.submitted_on.has_value();
    Text t{"申报指南受理期为" + policy::DateZh(*g->window_opens) + "至" + policy::DateZh(*g->window_closes) + "，" +
               (submitted ? "申报日期为" : "评定日期为") + policy::DateZh(day),
           "The guide accepts applications from " + policy::DateEn(*g->window_opens) + " to " +
               policy::DateEn(*g->window_closes) + "; the " + (submitted ? "submission" : "evaluation") + " date is " +
               policy::DateEn(day)};
    if (explain_) Trace("window", "window", "（十二）", "", policy::DateEn(day), open, t);
    if (!open) failed_.push_back({"outside_application_window", t, ""});
  }

  DecisionReason BeforePolicy() const {
    if (const FixedReason* f = evaluator_.BeforePolicyReason(app_.obtained_on)) return DecisionReason::Of(*f);
    FixedReason r = Evaluator::BeforePolicyText(app_.obtained_on, rules_.achievements_from);
    return {std::move(r.code), std::move(r.text), ""};
  }

  DecisionReason ReviewNotPassed(const Measure& m) const {
    const std::string note = app_.review_note.empty() ? std::string() : "：" + app_.review_note;
    const std::string note_en = app_.review_note.empty() ? std::string() : ": " + app_.review_note;
    return {"review_not_passed",
            {"经专家评审，未认定" + m.review->zh + "（" + policy::CiteZh(m.clause) + "）" + note,
             "The expert review did not find that " + m.review->en + " (" + policy::CiteEn(m.clause) + ")" + note_en},
            ""};
  }

  // A qualitative condition in words: judged by experts, or still to be judged.
  void AddReviewWords(const Measure& m) { Add(&d_->reasons, *evaluator_.ReviewReason(m, app_.review_passed == true)); }

  // A fixed reason made where it stays: a DecisionReason moved into place moves four strings.
  static void Add(std::vector<DecisionReason>* to, const FixedReason& reason) { to->emplace_back().fixed = &reason; }

  // A policy's own expression failed: not the applicant's fault, and never worded as such.
  void NotePolicyError(const policy::Condition& c, const std::string& error) {
    if (!policy_error_)
      policy_error_ = DecisionReason{"policy_error",
                                     {"政策规则「" + c.id + "」计算出错（" + error + "），无法判定，请联系主管部门",
                                      "The policy's rule \"" + c.id + "\" failed to evaluate (" + error +
                                          "); no decision can be made: contact the bureau"},
                                     c.id};
  }

  void PolicyError() {
    pre_->done = true;
    d_->outcome = Outcome::kInvalid;
    d_->amount_fen = 0;
    d_->reasons = {*policy_error_};
  }

  // The ledger keys, hashed here (on any thread) so that settling in order only probes.
  void HashKeys(const Measure& m) {
    const uint64_t unit = Ledger::KeyHashPrefix(app_.uscc);
    pre_->subject_hash = Ledger::KeyHashWith(unit, app_.subject_key);
    pre_->level_hash = Ledger::KeyHashWith(unit, m.id);
    if (m.once != OnceRule::kPerItem) return;
    const uint64_t measure = Ledger::KeyHashPrefix(m.id);
    const size_t n = app_.items.size();
    pre_->items.resize(n);
    // Repeats found by comparing with the earlier keys when there are few (most applications
    // list a handful of certificates; a set cost an allocation per item), with a set otherwise:
    // an application with 200,000 certificates must not take 200,000² comparisons.
    constexpr size_t kFewItems = 16;
    std::unordered_set<std::string_view> seen;
    if (n > kFewItems) seen.reserve(n);
    for (size_t k = 0; k < n; ++k) {
      Precheck::ItemCheck& c = pre_->items[k];
      const std::string& key = app_.items[k].key;
      c.subject_hash = Ledger::KeyHashWith(unit, key);
      c.item_hash = Ledger::KeyHashWith(measure, key);
      c.repeated = n > kFewItems ? !seen.insert(key).second : RepeatsEarlierItem(k);
    }
  }

  bool RepeatsEarlierItem(size_t k) const {
    for (size_t j = 0; j < k; ++j) {
      if (app_.items[j].key == app_.items[k].key) return true;
    }
    return false;
  }

  enum class Truth { kTrue, kFalse, kUnknown };

  // A condition's value. Unknown when it depends on a fact the record does not give (CEL's
  // unknowns absorb through && and || exactly as errors do, so `false && unknown` is false).
  Truth Holds(const policy::Condition& c, const char* rule) {
    // Referred to, not copied: the kept values are shared by every thread, and copying one with a
    // payload (an unknown) would contend for its reference count.
    const expr::Value* known = c.reads_only_applicant_flags ? evaluator_.FlagsValue(c, app_) : nullptr;
    const std::string* fact =
        known == nullptr && memo_ != nullptr && !c.memo_fact.empty() ? FactString(c.memo_fact) : nullptr;
    if (fact != nullptr) known = memo_->Find(c, *fact);
    expr::Value evaluated;
    if (known == nullptr) {
      evaluated = c.program->Evaluate(activation_);
      if (fact != nullptr) memo_->Keep(c, *fact, evaluated);
    }
    const expr::Value& v = known ? *known : evaluated;
    if (v.is_unknown()) {
      for (const auto& a : v.unknown_attributes()) Missing(a);
      if (explain_)
        Trace(rule, c.id, c.where.file + ":" + std::to_string(c.where.line), c.source, v.DebugString(), false,
              {"条件因缺少事实无法判定", "the condition cannot be decided: facts are missing"});
      return Truth::kUnknown;
    }
    bool ok = v.kind() == expr::Kind::kBool && v.bool_value();
    if (v.is_error()) NotePolicyError(c, v.error_message());
    if (explain_)
      Trace(rule, c.id, c.where.file + ":" + std::to_string(c.where.line), c.source, v.DebugString(), ok,
            ok ? Text{"条件成立", "condition holds"} : c.reason.text);
    return ok ? Truth::kTrue : Truth::kFalse;
  }

  // The application's measure: where the reader found it, if the id there is the same, else
  // looked up.
  const Measure* FoundMeasure() const {
    if (app_.measure.empty()) return nullptr;
    if (app_.measure_index < rules_.measures.size() && rules_.measures[app_.measure_index]->id == app_.measure)
      return rules_.measures[app_.measure_index];
    return rules_.FindMeasure(app_.measure);
  }

  // The application's fact `name` when it is a string (not absent, not unknown): what
  // ConditionMemo keeps a condition's value by.
  const std::string* FactString(const std::string& name) const {
    if (app_.facts.kind() != expr::Kind::kMap) return nullptr;
    const expr::Value* v = app_.facts.map_value().FindString(name);
    return v != nullptr && v->kind() == expr::Kind::kString ? &v->string_value() : nullptr;
  }

  void Missing(const std::string& path) {
    if (std::find(missing_.begin(), missing_.end(), path) == missing_.end()) missing_.push_back(path);
  }

  void Undetermined() {
    pre_->done = true;
    d_->outcome = Outcome::kUndetermined;
    d_->amount_fen = 0;
    d_->missing_facts = missing_;
    std::string list;
    for (const auto& m : missing_) list += (list.empty() ? "" : ", ") + m;
    d_->reasons.push_back(
        {"missing_facts",
         {"缺少以下事实，尚无法判定：" + list, "Cannot be decided until these facts are known: " + list},
         ""});
  }

  void Invalid() {
    pre_->done = true;
    d_->outcome = Outcome::kInvalid;
    for (const auto& e : app_.errors) d_->reasons.push_back({e.code, e.text, e.path});
  }

  // The vectors are swapped, not move-assigned: the decision's vector and the one the reasons
  // came from (often the Precheck's failed_) both keep a buffer for the next application (a batch
  // reuses its Prechecks). Move-assigning freed one and left the other empty: two allocations a
  // decision.
  void Ineligible(std::vector<DecisionReason>&& reasons) {
    pre_->done = true;
    d_->outcome = Outcome::kIneligible;
    d_->amount_fen = 0;
    d_->reasons.swap(reasons);
    reasons.clear();
  }

  void AddEligibleReason(const Measure& m) {
    if (const auto* t = evaluator_.Texts(m, app_.level)) return Add(&d_->reasons, t->eligible);
    d_->reasons.push_back({m.eligible_reason.code, EligibleTextFor(m, app_.level), ""});
  }

  void Settled(Precheck::Settled how, Outcome outcome) {
    pre_->settled = how;
    d_->outcome = outcome;
    d_->amount_fen = 0;
  }

  void SettleAmount(const Measure& m, int64_t cap) {
    int64_t base = cap;
    if (m.amount) {
      if (!pre_->amount_value) pre_->amount_value = m.amount->program->Evaluate(activation_);
      const expr::Value& v = *pre_->amount_value;
      if (v.kind() != expr::Kind::kInt) return Settled(Precheck::Settled::kAmountError, Outcome::kIneligible);
      if (v.int_value() < base) base = std::max<int64_t>(v.int_value(), 0);
    }
    if (UpgradePaysDifference(m)) {
      int rank = LevelRank(m, app_.level);
      int64_t earlier = 0;
      for (const auto& e : ledger_->EntriesFor(app_.uscc, m.id)) {
        int r = LevelRank(m, e.level);
        // Checked: amounts past any ceiling already pay nothing more (CONTRACT §6: sums never wrap).
        if (r > rank && __builtin_add_overflow(earlier, e.amount_fen, &earlier)) earlier = INT64_MAX;
      }
      if (earlier > 0) {
        base = std::max<int64_t>(base - earlier, 0);
        pre_->earlier_fen = earlier;
      }
    }
    pre_->base_fen = base;
    if (base <= 0) return Settled(Precheck::Settled::kNothingPayable, Outcome::kIneligible);
    const int64_t amount = app_.requested_fen && *app_.requested_fen < base ? *app_.requested_fen : base;
    pre_->settled = Precheck::Settled::kPaid;
    d_->outcome = Outcome::kEligible;
    d_->amount_fen = amount;
    d_->cap_fen = cap;
    // A subject paid once whoever applies (（十）) is indexed as an item, so the next organiser finds it.
    const uint64_t item_hash = m.subject_paid_once ? Ledger::KeyHash(m.id, app_.subject_key) : 0;
    ledger_->Add({app_.uscc, rules_.policy->id, m.id, m.level_fact.empty() ? std::string_view() : app_.level,
                  app_.subject_key, amount, rules_.as_of, AppId()},
                 {pre_->subject_hash, pre_->level_hash, item_hash}, /*is_item=*/m.subject_paid_once);
  }

  // The words for SettleAmount's result.
  void AmountWords(const Measure& m) {
    const int64_t cap = pre_->cap_fen, base = pre_->base_fen;
    const Evaluator::LevelTexts* texts = evaluator_.Texts(m, app_.level);
    // What the amount rests on, in words; made only when a reason needs it (the ceiling's words
    // were made with the level's texts).
    std::optional<Text> basis_text;
    auto basis = [&]() -> const Text& {
      if (basis_text) return *basis_text;
      if (texts != nullptr && texts->cap_fen == cap) return texts->ceiling;
      return basis_text.emplace(CeilingText(cap));
    };
    if (m.amount) {
      const expr::Value& v = *pre_->amount_value;
      if (explain_)
        Trace("amount", "amount_fen", m.clause, m.amount->source, v.DebugString(), true,
              {"按公式计算金额", "amount computed by the formula"});
      const int64_t formula = std::max<int64_t>(v.int_value(), 0);
      if (v.int_value() < cap) {
        basis_text = Text{Concat("按公式核定", YuanZh(formula), "（上限", YuanZh(cap), "）"),
                          Concat("formula amount ", YuanEn(formula), " (ceiling ", YuanEn(cap), ")")};
      }
    }
    if (const int64_t earlier = pre_->earlier_fen; earlier > 0) {
      basis_text = Text{"晋升等次仅补差额：" + YuanZh(cap) + " 减已获 " + YuanZh(earlier),
                        "an upgrade pays the difference: " + YuanEn(cap) + " less " + YuanEn(earlier) + " received"};
      if (explain_) Trace("ledger", "upgrade_difference", m.clause, "", YuanEn(earlier), true, basis());
    }
    if (pre_->settled == Precheck::Settled::kNothingPayable) {
      return Ineligible({{"nothing_to_pay", {"核定金额为零：" + basis().zh, "Nothing to pay: " + basis().en}, ""}});
    }
    const int64_t amount = d_->amount_fen;
    pre_->done = true;
    AddEligibleReason(m);
    if (m.review) AddReviewWords(m);
    DecisionReason& amount_reason = d_->reasons.emplace_back();  // made in place, the last reason
    if (app_.requested_fen && *app_.requested_fen < base) {
      amount_reason.code = "requested_below_ceiling";
      amount_reason.text = {Concat("按申请金额", YuanZh(amount), "核定（低于", basis().zh, "）"),
                            Concat("The requested ", YuanEn(amount), " is paid (below the ", basis().en, ")")};
    } else if (app_.requested_fen && *app_.requested_fen > base) {
      amount_reason.code = "capped_at_ceiling";
      amount_reason.text = {Concat("申请金额", YuanZh(*app_.requested_fen), "超过", basis().zh, "，按", YuanZh(amount),
                                   "核定（各项支持限额均为上限，第（十二）条）"),
                            Concat("The requested ", YuanEn(*app_.requested_fen), " exceeds the ", basis().en, "; ",
                                   YuanEn(amount), " is paid (every amount is a ceiling, item (12))")};
    } else if (amount == cap && texts != nullptr) {
      amount_reason.fixed = &texts->ceiling_paid;
    } else {
      amount_reason.code = "ceiling";
      amount_reason.text = {Concat("按", basis().zh, "核定", YuanZh(amount)),
                            Concat(YuanEn(amount), " is paid: the ", basis().en)};
    }
    if (explain_) Trace("ceiling", m.id, m.clause, "", std::to_string(amount), true, amount_reason.Text());
  }

  std::string_view AppId() const { return app_.id ? std::string_view(*app_.id) : std::string_view(); }

  // Items the unit was already paid in the guide's year under a per-unit limit (2026: at most 3
  // certificates per enterprise per year): this round's, and the ledger's granted in that year.
  int64_t ItemsPaidThisYear(const Measure& m) const {
    const std::string year = std::to_string(rules_.guide->year);
    policy::Date first, last;
    if (!policy::ParseDate(year + "-01-01", &first) || !policy::ParseDate(year + "-12-31", &last)) {
      first.days = 1, last.days = 0;  // a year no date is in: this round's items alone
    }
    return ledger_->CountPaid(app_.uscc, m.id, pre_->level_hash, first, last);
  }

  void SettleItems(const Measure& m) {
    const int64_t per_item = m.ceiling.fixed_fen;
    int64_t remaining = app_.requested_fen ? *app_.requested_fen : INT64_MAX;
    int64_t total = 0, cap_total = 0;
    int payable = 0;
    int64_t limit = INT64_MAX, paid_before = 0;
    if (rules_.guide) {
      auto it = rules_.guide->items_per_unit_per_year.find(m.id);
      if (it != rules_.guide->items_per_unit_per_year.end()) {
        limit = it->second;
        paid_before = ItemsPaidThisYear(m);
      }
    }
    for (size_t k = 0; k < app_.items.size(); ++k) {
      const Item& item = app_.items[k];
      Precheck::ItemCheck& c = pre_->items[k];
      using R = Precheck::ItemCheck::Result;
      if (c.repeated) {
        c.result = R::kRepeated;
      } else if (item.issued_on && *item.issued_on < rules_.achievements_from) {
        c.result = R::kBeforePolicy;
      } else if (auto e = ledger_->FindSubject(app_.uscc, item.key, c.subject_hash); e && e->measure != m.id) {
        // Clause （十二）: the same certificate funded for this unit under another policy.
        c.result = R::kDoubleBenefit;
        c.entry = std::move(e);
      } else if (auto f = ledger_->FindItem(m.id, item.key, c.item_hash)) {
        c.result = R::kFunded;
        c.entry = std::move(f);
      } else if (paid_before >= limit) {
        c.result = R::kLimitReached;
      } else {
        ++payable;
        ++paid_before;
        cap_total = SaturatingAdd(cap_total, per_item);
        const int64_t pay = std::min(per_item, remaining);
        remaining -= pay;
        total += pay;  // total + remaining stays the starting remaining: no overflow
        c.result = R::kPaid;
        c.amount_fen = pay;
      }
    }
    d_->cap_fen = cap_total;
    if (payable == 0) return Settled(Precheck::Settled::kNothingPayable, Outcome::kIneligible);
    pre_->settled = Precheck::Settled::kPaid;
    d_->outcome = Outcome::kEligible;
    d_->amount_fen = total;
    for (size_t k = 0; k < app_.items.size(); ++k) {
      const Precheck::ItemCheck& c = pre_->items[k];
      if (c.result != Precheck::ItemCheck::Result::kPaid || c.amount_fen == 0) continue;
      ledger_->Add({app_.uscc, rules_.policy->id, m.id, "", app_.items[k].key, c.amount_fen, rules_.as_of, AppId()},
                   {c.subject_hash, pre_->level_hash, c.item_hash}, /*is_item=*/true);
    }
    ledger_->Add({app_.uscc, rules_.policy->id, m.id, "", app_.subject_key, 0, rules_.as_of, AppId()},
                 {pre_->subject_hash, pre_->level_hash, 0}, /*is_item=*/false, /*subject_only=*/true);
  }

  // The words for SettleItems' result: each item's outcome, then the application's.
  // One item's outcome in words.
  void ItemReason(const Measure& m, const Item& item, const Precheck::ItemCheck& c, ItemDecision* it) {
    using R = Precheck::ItemCheck::Result;
    const std::string& key = item.key;
    const int64_t per_item = m.ceiling.fixed_fen;
    it->outcome = c.result == R::kPaid ? Outcome::kEligible : Outcome::kIneligible;
    switch (c.result) {
      case R::kRepeated:
        it->cap_fen = 0;
        it->reasons.push_back({"duplicate_in_application",
                               {"证书编号 " + key + " 在本申请中重复，只资助一次",
                                "Certificate " + key + " appears twice in this application and is paid once"},
                               ""});
        break;
      case R::kBeforePolicy:
        it->reasons.push_back(
            {"achievement_before_policy",
             {Concat("证书编号 ", key, " 的发证日期", policy::DateZh(*item.issued_on), "早于本措施支持的起始日期",
                     policy::DateZh(rules_.achievements_from), "，不予资助"),
              Concat("Certificate ", key, " was issued on ", policy::DateEn(*item.issued_on), ", before ",
                     policy::DateEn(rules_.achievements_from), ", the earliest date these measures fund")},
             ""});
        break;
      case R::kDoubleBenefit: {
        const Text funded = AlreadyFundedWords(rules_, *c.entry);
        it->reasons.push_back({"double_benefit",
                               {"证书编号 " + key + funded.zh + "，不得重复享受（第（十二）条）",
                                "Certificate " + key + funded.en + "; support may not be enjoyed twice (item (12))"},
                               ""});
        break;
      }
      case R::kFunded: {
        const Text what = EntryWords(rules_, *c.entry);
        it->reasons.push_back(
            {"certificate_already_funded",
             {"证书编号 " + key + (c.entry->in_round ? "：" + what.zh : " 已获资助（" + what.zh + "）") +
                  "，每项认证仅资助一次（" + policy::CiteZh(m.clause) + "）",
              "Certificate " + key + (c.entry->in_round ? ": " + what.en : " was already funded (" + what.en + ")") +
                  "; each certification is funded once (" + policy::CiteEn(m.clause) + ")"},
             ""});
        break;
      }
      case R::kLimitReached: {
        const int64_t limit = rules_.guide->items_per_unit_per_year.at(m.id);
        const std::string year = std::to_string(rules_.guide->year);
        it->reasons.push_back(
            {"item_limit_reached",
             {"证书编号 " + key + " 未予资助：申报指南规定每家单位" + year + "年度最多资助" + std::to_string(limit) +
                  "项，已达上限",
              "Certificate " + key + " is not paid: the guide funds at most " + std::to_string(limit) +
                  " per unit in " + year + ", and that many are already paid"},
             ""});
        break;
      }
      case R::kPaid:
        it->amount_fen = c.amount_fen;
        if (c.amount_fen == per_item) {
          Add(&it->reasons, evaluator_.Texts(m, "")->per_item);
        } else {
          it->reasons.push_back(
              {"requested_below_ceiling",
               {"申请金额已分配完毕，本项核定" + YuanZh(c.amount_fen) + "（上限" + YuanZh(per_item) + "）",
                "the requested amount leaves " + YuanEn(c.amount_fen) + " for this item (ceiling " + YuanEn(per_item) +
                    ")"},
               ""});
        }
        break;
    }
  }

  // The words for SettleItems' result: each item's outcome, then the application's.
  void ItemWords(const Measure& m) {
    const int64_t per_item = m.ceiling.fixed_fen;
    int64_t total = 0, cap_total = 0;
    int payable = 0, limited = 0, before_policy = 0;
    d_->items.reserve(app_.items.size());
    for (size_t k = 0; k < app_.items.size(); ++k) {
      const Item& item = app_.items[k];
      const Precheck::ItemCheck& c = pre_->items[k];
      ItemDecision& it = d_->items.emplace_back();
      it.key = item.key;
      it.type = item.type;
      it.cap_fen = per_item;
      ItemReason(m, item, c, &it);
      if (c.result == Precheck::ItemCheck::Result::kPaid) {
        ++payable;
        cap_total = SaturatingAdd(cap_total, per_item);
        total = SaturatingAdd(total, c.amount_fen);
      }
      if (c.result == Precheck::ItemCheck::Result::kLimitReached) ++limited;
      if (c.result == Precheck::ItemCheck::Result::kBeforePolicy) ++before_policy;
      if (explain_)
        Trace("item", item.key, m.clause, "", std::to_string(it.amount_fen), it.outcome == Outcome::kEligible,
              it.reasons.back().Text());
    }
    if (payable == 0) {
      if (before_policy > 0 && std::all_of(pre_->items.begin(), pre_->items.end(), [](const Precheck::ItemCheck& c) {
            return c.result == Precheck::ItemCheck::Result::kBeforePolicy ||
                   c.result == Precheck::ItemCheck::Result::kRepeated;
          })) {
        return Ineligible({{"achievement_before_policy",
                            {"申报的认证均早于本措施支持的起始日期" + policy::DateZh(rules_.achievements_from) +
                                 "取得，不予资助（" + policy::CiteZh(m.clause) + "）",
                             "Every certificate was issued before " + policy::DateEn(rules_.achievements_from) +
                                 ", the earliest date these measures fund (" + policy::CiteEn(m.clause) + ")"},
                            ""}});
      }
      if (limited > 0) {
        return Ineligible({{"item_limit_reached",
                            {"本年度该单位可资助的认证数量已达申报指南规定的上限，本申请无可资助项目（" +
                                 policy::CiteZh(m.clause) + "）",
                             "The unit has reached the guide's limit of certifications funded this year; nothing in "
                             "this application can be paid (" +
                                 policy::CiteEn(m.clause) + ")"},
                            ""}});
      }
      return Ineligible(
          {{"no_payable_certificate",
            {"本申请的认证均已获资助、重复或不在支持期内，无可资助项目（" + policy::CiteZh(m.clause) + "）",
             "None of the certificates in this application can be paid: each was already funded, repeated or outside "
             "the funded period (" +
                 policy::CiteEn(m.clause) + ")"},
            ""}});
    }
    pre_->done = true;
    AddEligibleReason(m);
    if (m.review) AddReviewWords(m);
    if (app_.requested_fen && *app_.requested_fen < cap_total) {
      d_->reasons.push_back({"requested_below_ceiling",
                             {"按申请金额" + YuanZh(total) + "核定（可资助认证" + std::to_string(payable) +
                                  "项，上限合计" + YuanZh(cap_total) + "）",
                              "The requested " + YuanEn(total) + " is paid (" + std::to_string(payable) +
                                  " payable certificate(s), ceiling " + YuanEn(cap_total) + ")"},
                             ""});
    } else if (const FixedReason* kept = total == cap_total ? evaluator_.ItemsCeilingReason(m, payable) : nullptr) {
      Add(&d_->reasons, *kept);
    } else {
      FixedReason r = Evaluator::ItemsCeilingText(payable, per_item, total);
      d_->reasons.push_back({std::move(r.code), std::move(r.text), ""});
    }
    if (limited > 0) {
      d_->reasons.push_back({"item_limit_reached",
                             {std::to_string(limited) + "项认证超过申报指南规定的年度数量上限，未予资助",
                              std::to_string(limited) + " certification(s) past the guide's yearly limit are not paid"},
                             ""});
    }
  }

  const Evaluator& evaluator_;
  ConditionMemo* memo_;  // null: none kept
  const policy::RuleSet& rules_;
  const Application& app_;
  Ledger* ledger_ = nullptr;
  bool explain_;
  Precheck* pre_;
  Decision* d_;
  std::vector<std::string>& missing_;
  std::vector<DecisionReason>& failed_;
  ApplicationActivation activation_;
  std::optional<DecisionReason> policy_error_;
};

}  // namespace

Evaluator::Evaluator(const policy::RuleSet& rules) : rules_(rules) {
  std::string& p = provenance_;
  p += ",\"policy\":";
  AppendJsonString(&p, rules.policy->id);
  p += ",\"policy_version\":";
  AppendJsonString(&p, rules.policy->version);
  p += ",\"amendments\":[";
  for (size_t i = 0; i < rules.amendments_applied.size(); ++i) {
    if (i) p += ",";
    AppendJsonString(&p, rules.amendments_applied[i]);
  }
  p += "],\"guide\":";
  if (rules.guide)
    AppendJsonString(&p, rules.guide->id + "@" + rules.guide->version);
  else
    p += "null";
  p += ",\"as_of\":";
  AppendJsonString(&p, policy::FormatDate(rules.as_of));
  auto add_reasons = [&](const std::vector<policy::Condition>& conditions) {
    for (const auto& c : conditions) {
      condition_reasons_.emplace(&c, FixedReason(c.reason.code, c.reason.text));
      WorkOutFlagsValues(c);
    }
  };
  add_reasons(rules.policy->exclusions);
  for (const Measure* m : rules.measures) add_reasons(m->conditions);
  if (rules.guide) {
    for (const auto& [id, conditions] : rules.guide->conditions) add_reasons(conditions);
  }
  for (const Measure* m : rules.measures) {
    for (const auto& kind : policy::ApplicantKinds()) {
      if (std::find(m->applicants.begin(), m->applicants.end(), kind) != m->applicants.end()) continue;
      kind_reasons_[m].emplace_back(kind, KindText(*m, kind));
    }
  }
  for (const Measure* m : rules.measures) {
    if (!m->review) continue;
    const Text& r = *m->review;
    review_reasons_.emplace(
        m,
        std::make_pair(
            FixedReason("review_passed",
                        {"经专家评审，认定" + r.zh + "（" + policy::CiteZh(m->clause) + "）",
                         "The expert review found that " + r.en + " (" + policy::CiteEn(m->clause) + ")"}),
            FixedReason("subject_to_review",
                        {"“" + r.zh + "”须经专家评审认定（" + policy::CiteZh(m->clause) + "），本结论以评审通过为前提",
                         "Whether " + r.en + " is for the expert review to judge (" + policy::CiteEn(m->clause) +
                             "); this decision stands only if the review finds so"})));
  }
  for (const Measure* m : rules.measures) {
    if (m->once == OnceRule::kPerItem) items_ceiling_.emplace(m, std::make_unique<KeptReasons>(kKeptItemCounts));
    if (m->support == Support::kReferral)
      measure_reasons_.emplace(
          m, FixedReason("referral",
                         {policy::CiteZh(m->clause) + "：" + m->referral.zh + "。本系统不核算金额，请按相关政策办理",
                          policy::CiteEn(m->clause) + ": " + m->referral.en + ". No amount is computed here"}));
    if (m->support == Support::kNonMonetary)
      measure_reasons_.emplace(
          m, FixedReason("no_funding", {policy::CiteZh(m->clause) + "（" + m->title.zh + "）不设资金支持",
                                        policy::CiteEn(m->clause) + " (" + m->title.en + ") provides no funding"}));
  }
  for (const Measure* m : rules.measures) {
    if (m->support != Support::kPayment) continue;
    std::vector<std::string> levels{""};
    for (const auto& [level, fen] : m->ceiling.by_level) levels.push_back(level);
    for (const auto& level : levels) {
      int64_t cap = m->ceiling.kind == policy::Ceiling::Kind::kByLevel ? CeilingFor(*m, level) : m->ceiling.fixed_fen;
      texts_[m].emplace_back(
          level, LevelTexts{FixedReason(m->eligible_reason.code, EligibleTextFor(*m, level)),
                            FixedReason("ceiling", CeilingPaidText(cap)),
                            FixedReason("per_certificate",
                                        {"每项认证最高" + YuanZh(cap), "up to " + YuanEn(cap) + " per certification"}),
                            cap, CeilingText(cap)});
    }
  }
}

void Precheck::Clear() {
  if (!used) return;
  used = false;
  Decision& d = decision;
  d.id.reset();
  d.measure.clear();
  d.clause.clear();
  d.outcome = Outcome::kInvalid;
  d.cap_fen = d.amount_fen = 0;
  d.reasons.clear();
  d.items.clear();
  d.uscc.clear();
  d.subject.clear();
  d.level.clear();
  d.missing_facts.clear();
  d.trace.clear();
  d.line = 0;
  done = false;
  measure = nullptr;
  failed.clear();
  missing.clear();
  amount_value.reset();
  subject_hash = level_hash = 0;
  items.clear();
  settled = Settled::kNo;
  subject_checked = level_checked = false;
  subject_entry.reset();
  round_entry.reset();
  honour_entry.reset();
  level_entry.reset();
  cap_fen = base_fen = earlier_fen = 0;
}

void Evaluator::Prepare(const Application& app, bool explain, Precheck* pre, ConditionMemo* memo) const {
  pre->Clear();
  pre->used = true;
  pre->decision.reasons.reserve(2);  // most decisions give one or two reasons
  Decider(*this, app, explain, pre, memo).Stateless();
}

const expr::Value* ConditionMemo::Find(const policy::Condition& c, std::string_view fact) const {
  auto of = kept_.find(&c);
  if (of == kept_.end()) return nullptr;
  auto it = of->second.find(fact);
  return it == of->second.end() ? nullptr : &it->second;
}

void ConditionMemo::Keep(const policy::Condition& c, std::string_view fact, const expr::Value& value) {
  auto& kept = kept_[&c];
  if (kept.size() < kMostKept) kept.emplace(std::string(fact), value);
}

void Evaluator::Settle(const Application& app, Precheck* pre, Ledger* ledger) const {
  if (pre->done) return;
  Decider(*this, app, false, pre).Settle(ledger);
}

void Evaluator::Finish(const Application& app, Precheck* pre, bool explain) const {
  if (pre->done || pre->settled == Precheck::Settled::kNo) return;
  Decider(*this, app, explain, pre).Finish();
}

void Evaluator::Complete(const Application& app, Precheck* pre, Ledger* ledger, bool explain) const {
  Settle(app, pre, ledger);
  Finish(app, pre, explain);
}

Decision Evaluator::Decide(const Application& app, Ledger* ledger, bool explain) const {
  Precheck pre;
  Prepare(app, explain, &pre);
  Complete(app, &pre, ledger, explain);
  return std::move(pre.decision);
}

FixedReason Evaluator::BeforePolicyText(policy::Date obtained_on, policy::Date from) {
  return FixedReason(
      "achievement_before_policy",
      {Concat("取得日期", policy::DateZh(obtained_on), "早于本措施支持的起始日期", policy::DateZh(from), "，不予支持"),
       Concat("Obtained on ", policy::DateEn(obtained_on), ", before ", policy::DateEn(from),
              ", the earliest date these measures fund")});
}

const FixedReason* Evaluator::BeforePolicyReason(policy::Date obtained_on) const {
  const int64_t before = rules_.achievements_from.days - obtained_on.days;
  if (before < 1 || before > kBeforePolicyDays) return nullptr;
  return &before_policy_.Get(before - 1, [&] { return BeforePolicyText(obtained_on, rules_.achievements_from); });
}

FixedReason Evaluator::ItemsCeilingText(int payable, int64_t per_item_fen, int64_t total_fen) {
  const std::string n = std::to_string(payable);
  return FixedReason(
      "ceiling", {Concat("可资助认证", n, "项，每项最高", YuanZh(per_item_fen), "，合计", YuanZh(total_fen)),
                  Concat(n, " payable certificate(s) at up to ", YuanEn(per_item_fen), " each: ", YuanEn(total_fen))});
}

const FixedReason* Evaluator::ItemsCeilingReason(const Measure& m, int payable) const {
  auto it = items_ceiling_.find(&m);
  if (it == items_ceiling_.end() || payable < 1 || payable > kKeptItemCounts) return nullptr;
  return &it->second->Get(payable - 1, [&] {
    const int64_t per_item = m.ceiling.fixed_fen;
    int64_t total = 0;  // saturating, as ItemWords adds the items up
    if (__builtin_mul_overflow(per_item, static_cast<int64_t>(payable), &total)) total = INT64_MAX;
    return ItemsCeilingText(payable, per_item, total);
  });
}

namespace {

// The state of an applicant's yes/no field for FlagsValue: 0 false, 1 true, 2 unknown.
size_t FlagState(const Application& app, const char* path, bool value) {
  return app.unknown.empty() || !app.IsUnknown(path) ? (value ? 1 : 0) : 2;
}

}  // namespace

void Evaluator::WorkOutFlagsValues(const policy::Condition& c) {
  if (!c.reads_only_applicant_flags) return;
  std::array<expr::Value, 9> values;
  for (size_t registered = 0; registered < 3; ++registered) {
    for (size_t dishonesty = 0; dishonesty < 3; ++dishonesty) {
      // An application in that state, read by the same activation as every other.
      Application app;
      app.registered_in_shenzhen = registered == 1;
      app.serious_dishonesty = dishonesty == 1;
      if (registered == 2) app.unknown.push_back("applicant.registered_in_shenzhen");
      if (dishonesty == 2) app.unknown.push_back("applicant.serious_dishonesty");
      app.partial = registered == 2 || dishonesty == 2;
      values[registered * 3 + dishonesty] = c.program->Evaluate(ApplicationActivation(app, rules_));
    }
  }
  flags_values_.emplace_back(&c, std::move(values));
}

const expr::Value* Evaluator::FlagsValue(const policy::Condition& c, const Application& app) const {
  for (const auto& [condition, values] : flags_values_) {
    if (condition != &c) continue;
    return &values[FlagState(app, "applicant.registered_in_shenzhen", app.registered_in_shenzhen) * 3 +
                   FlagState(app, "applicant.serious_dishonesty", app.serious_dishonesty)];
  }
  return nullptr;
}

const FixedReason* Evaluator::MeasureReason(const Measure& m) const {
  auto it = measure_reasons_.find(&m);
  return it == measure_reasons_.end() ? nullptr : &it->second;
}

const FixedReason& Evaluator::Reason(const policy::Condition& c) const { return condition_reasons_.at(&c); }

const FixedReason* Evaluator::ReviewReason(const Measure& m, bool passed) const {
  auto it = review_reasons_.find(&m);
  if (it == review_reasons_.end()) return nullptr;
  return passed ? &it->second.first : &it->second.second;
}

FixedReason Evaluator::KindText(const Measure& m, const std::string& kind) {
  std::string zh, en;
  for (const auto& k : m.applicants) {
    zh += (zh.empty() ? "" : "、") + policy::KindZh(k);
    en += (en.empty() ? "" : ", ") + policy::KindEn(k);
  }
  std::string item_en = policy::CiteEn(m.clause);
  if (!item_en.empty()) item_en[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(item_en[0])));
  return FixedReason(
      "applicant_kind_not_allowed",
      {policy::CiteZh(m.clause) + "的支持对象为" + zh + "；申报单位为" + policy::KindZh(kind) + "，不属于支持对象",
       item_en + " supports: " + en + "; the applicant is " + policy::WithArticleEn(policy::KindEn(kind)) +
           ", which it does not support"});
}

const FixedReason& Evaluator::KindNotAllowed(const Measure& m, const std::string& kind) const {
  auto it = kind_reasons_.find(&m);
  if (it != kind_reasons_.end()) {
    for (const auto& [k, reason] : it->second) {
      if (k == kind) return reason;
    }
  }
  // A kind outside the contract's list cannot reach here (the reader rejects it); made anyway.
  std::lock_guard<std::mutex> lock(extra_mu_);
  return extra_kind_reasons_.emplace_back(KindText(m, kind));
}

const Evaluator::LevelTexts* Evaluator::Texts(const Measure& m, const std::string& level) const {
  auto it = texts_.find(&m);
  if (it == texts_.end()) return nullptr;
  for (const auto& [l, texts] : it->second) {
    if (l == level) return &texts;
  }
  return nullptr;
}

}  // namespace qgrant::engine
