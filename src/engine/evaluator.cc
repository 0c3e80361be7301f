#include "engine/evaluator.h"

#include <algorithm>

#include "expr/time_util.h"
#include "policy/loader.h"

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

  // applicant.x without building the applicant map: the exclusions read it for every application.
  bool FindField(std::string_view name, std::string_view field, expr::Value* out) const override {
    if (name != "applicant" || applicant_) return false;
    if (field == "registered_in_shenzhen") {
      *out = Known("applicant.registered_in_shenzhen", expr::Value::Bool(app_.registered_in_shenzhen));
    } else if (field == "serious_dishonesty") {
      *out = Known("applicant.serious_dishonesty", expr::Value::Bool(app_.serious_dishonesty));
    } else if (field == "kind") {
      *out = Known("applicant.kind", expr::Value::String(app_.kind));
    } else {
      return false;
    }
    return true;
  }

  const expr::Value* Find(std::string_view name) const override {
    if (name == "facts") return &app_.facts;
    if (name == "data") return &rules_.data;
    if (name == "applicant") return Cached(&applicant_, [&] { return Applicant(); });
    if (name == "measure") return Cached(&measure_, [&] { return expr::Value::String(app_.measure); });
    if (name == "subject") return Cached(&subject_, [&] { return Known("subject", expr::Value::String(app_.subject)); });
    if (name == "obtained_on") {
      return Cached(&obtained_on_, [&] { return Known("obtained_on", DateValue(app_.obtained_on)); });
    }
    if (name == "as_of") return Cached(&as_of_, [&] { return DateValue(rules_.as_of); });
    if (name == "requested_fen") {
      return Cached(&requested_, [&] {
        return app_.requested_fen ? expr::Value::Int(*app_.requested_fen) : expr::Value::Null();
      });
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
                             kYears = expr::Value::String("years_operating"), kDistrict = expr::Value::String("district");
    std::vector<std::pair<expr::Value, expr::Value>> e;
    e.reserve(8);
    e.emplace_back(kUscc, Known("applicant.uscc", expr::Value::String(app_.uscc)));
    e.emplace_back(kName, Known("applicant.name", expr::Value::String(app_.name)));
    e.emplace_back(kKind, Known("applicant.kind", expr::Value::String(app_.kind)));
    e.emplace_back(kRegistered, Known("applicant.registered_in_shenzhen", expr::Value::Bool(app_.registered_in_shenzhen)));
    e.emplace_back(kDishonesty, Known("applicant.serious_dishonesty", expr::Value::Bool(app_.serious_dishonesty)));
    if (app_.established_on) {
      e.emplace_back(kEstablished, DateValue(*app_.established_on));
      e.emplace_back(kYears, expr::Value::Int(FullYears(*app_.established_on, rules_.as_of)));
    } else if (app_.partial) {
      e.emplace_back(kEstablished, expr::Value::Unknown({"applicant.established_on"}));
      e.emplace_back(kYears, expr::Value::Unknown({"applicant.established_on"}));
    }
    if (!app_.district.empty()) {
      e.emplace_back(kDistrict, expr::Value::String(app_.district));
    } else if (app_.partial) {
      e.emplace_back(kDistrict, expr::Value::Unknown({"applicant.district"}));
    }
    std::string err;
    return expr::Value::Map(expr::MapValue::Make(std::move(e), &err));
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

Text LevelName(const Measure& m, const std::string& level) {
  auto it = m.level_names.find(level);
  if (it != m.level_names.end()) return it->second;
  return {level, level};
}

int64_t CeilingFor(const Measure& m, const std::string& level) {
  switch (m.ceiling.kind) {
    case policy::Ceiling::Kind::kFixed:
    case policy::Ceiling::Kind::kPerItem: return m.ceiling.fixed_fen;
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

std::string EntryWhere(const LedgerEntry& e) {
  std::string s = e.policy + "/" + e.measure;
  if (!e.level.empty()) s += "/" + e.level;
  s += "「" + e.subject + "」";
  if (e.granted_on.days != 0) s += " " + policy::FormatDate(e.granted_on);
  return s;
}

Text CeilingPaidText(int64_t cap) {
  return {"按上限" + YuanZh(cap) + "核定" + YuanZh(cap), YuanEn(cap) + " is paid: the ceiling " + YuanEn(cap)};
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
  Decider(const Evaluator& evaluator, const Application& app, bool explain, Precheck* pre)
      : evaluator_(evaluator), rules_(evaluator.rules()), app_(app), explain_(explain), pre_(pre),
        d_(&pre->decision), missing_(pre->missing), failed_(pre->failed), activation_(app, rules_) {}

  void Stateless() {
    d_->id = app_.id;
    d_->measure = app_.measure;
    d_->uscc = app_.uscc;
    d_->subject = app_.subject;
    const Measure* m = app_.measure.empty() ? nullptr : rules_.FindMeasure(app_.measure);
    if (m) {
      d_->clause = m->clause;
      d_->level = app_.level;
    }
    if (!app_.errors.empty()) return Invalid();
    if (!rules_.in_force) {
      return Ineligible({{"policy_not_in_force",
                         {"本措施自" + policy::FormatDate(rules_.valid_from) + "起实施，有效期5年至" +
                              policy::FormatDate(rules_.valid_until) + "（第（十四）条）；评定日期" +
                              policy::FormatDate(rules_.as_of) + "不在有效期内",
                          "The measures are in force from " + policy::FormatDate(rules_.valid_from) + " for 5 years, until " +
                              policy::FormatDate(rules_.valid_until) + " (clause (14)); the evaluation date " +
                              policy::FormatDate(rules_.as_of) + " is outside that period"}, ""}});
    }
    if (m == nullptr) {
      const std::string& by = rules_.cancelled.at(app_.measure);
      return Ineligible({{"measure_cancelled",
                         {"措施 " + app_.measure + " 已由 " + by + " 取消（第（十三）条）",
                          "Measure " + app_.measure + " was cancelled by " + by + " (clause (13))"}, ""}});
    }
    // Exclusions come first and apply to every measure, referrals included.
    std::vector<DecisionReason> excluded;
    for (const auto& c : rules_.policy->exclusions) {
      if (Holds(c, "exclusion") == Truth::kFalse) excluded.push_back(ReasonOf(c));
    }
    if (!excluded.empty()) return Ineligible(std::move(excluded));
    // An exclusion that cannot be decided leaves everything open, a referral included.
    if (!missing_.empty()) return Undetermined();

    if (m->support == Support::kNonMonetary) {
      return Ineligible({{"no_funding",
                         {"第" + m->clause + "条（" + m->title.zh + "）不设资金支持",
                          "Clause " + policy::ClauseEn(m->clause) + " (" + m->title.en + ") provides no funding"}, ""}});
    }
    if (m->support == Support::kReferral) {
      d_->outcome = Outcome::kReferred;
      d_->reasons.push_back({"referral", {"第" + m->clause + "条：" + m->referral.zh, "Clause " + policy::ClauseEn(m->clause) + ": " + m->referral.en}, ""});
      if (explain_) Trace("referral", m->id, m->clause, "", "", true, m->referral);
      pre_->done = true;
      return;
    }
    pre_->measure = m;
    std::vector<DecisionReason>& failed = failed_;
    if (app_.IsUnknown("applicant.kind")) {
      Missing("applicant.kind");
    } else if (std::find(m->applicants.begin(), m->applicants.end(), app_.kind) == m->applicants.end()) {
      DecisionReason r = DecisionReason::Of(evaluator_.KindNotAllowed(*m, app_.kind));
      if (explain_) Trace("applicant_kind", "applicants", m->clause, "", app_.kind, false, r.Text());
      failed.push_back(std::move(r));
    } else {
      if (explain_) Trace("applicant_kind", "applicants", m->clause, "", app_.kind, true, {"申报单位类型符合", "Applicant kind allowed"});
    }
    if (const policy::Guide* g = rules_.guide.get()) {
      if (g->window_opens && g->window_closes) {
        bool open = *g->window_opens <= rules_.as_of && rules_.as_of <= *g->window_closes;
        if (explain_ || !open) {
          Text t{"申报指南受理期为" + policy::FormatDate(*g->window_opens) + "至" + policy::FormatDate(*g->window_closes) +
                     "，评定日期为" + policy::FormatDate(rules_.as_of),
                 "The guide accepts applications from " + policy::FormatDate(*g->window_opens) + " to " +
                     policy::FormatDate(*g->window_closes) + "; the evaluation date is " + policy::FormatDate(rules_.as_of)};
          if (explain_) Trace("window", g->id, g->id, "", policy::FormatDate(rules_.as_of), open, t);
          if (!open) failed.push_back({"outside_application_window", t, ""});
        }
      }
    }
    for (const auto& c : m->conditions) {
      if (Holds(c, "condition") == Truth::kFalse) failed.push_back(ReasonOf(c));
    }
    if (rules_.guide) {
      auto it = rules_.guide->conditions.find(m->id);
      if (it != rules_.guide->conditions.end()) {
        for (const auto& c : it->second) {
          if (Holds(c, "guide_condition") == Truth::kFalse) failed.push_back(ReasonOf(c));
        }
      }
    }
    // The amount formula reads only the application; evaluate it here when it can matter.
    if (m->amount && failed.empty() && missing_.empty()) pre_->amount_value = m->amount->program->Evaluate(activation_);
    // The ledger keys, hashed here (on any thread) so that settling in order only probes.
    const uint64_t unit = Ledger::KeyHashPrefix(app_.uscc);
    pre_->subject_hash = Ledger::KeyHashWith(unit, app_.subject);
    pre_->level_hash = Ledger::KeyHashWith(unit, m->id);
    if (m->once == OnceRule::kPerItem) {
      const uint64_t measure = Ledger::KeyHashPrefix(m->id);
      pre_->items.resize(app_.items.size());
      for (size_t k = 0; k < app_.items.size(); ++k) {
        Precheck::ItemCheck& c = pre_->items[k];
        const std::string& key = app_.items[k].key;
        c.subject_hash = Ledger::KeyHashWith(unit, key);
        c.item_hash = Ledger::KeyHashWith(measure, key);
        c.repeated = false;
        for (size_t j = 0; j < k && !c.repeated; ++j) c.repeated = app_.items[j].key == key;
      }
    }
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
      pre_->subject_entry = ledger_->FindSubject(app_.uscc, app_.subject, pre_->subject_hash);
    }
    bool level_unknown = false;
    if (!app_.unknown.empty()) {  // screening: the facts the ledger keys need may be missing
      level_unknown = !m->level_fact.empty() && app_.IsUnknown("facts." + m->level_fact);
      if (level_unknown) Missing("facts." + m->level_fact);
      if (m->once == OnceRule::kPerItem && app_.IsUnknown("facts." + m->items_fact)) Missing("facts." + m->items_fact);
    }
    if ((m->once == OnceRule::kFirstTime || m->once == OnceRule::kOneTime) && !level_unknown) {
      pre_->level_checked = true;
      pre_->level_entry = ledger_->FindLevel(app_.uscc, m->id, m->level_fact.empty() ? std::string_view() : app_.level,
                                             pre_->level_hash);
    }
    const int64_t cap =
        m->ceiling.kind == policy::Ceiling::Kind::kByLevel ? CeilingFor(*m, app_.level) : m->ceiling.fixed_fen;
    pre_->cap_fen = cap;
    if (!failed_.empty() || pre_->subject_entry || pre_->level_entry) {
      d_->cap_fen = m->once == OnceRule::kPerItem ? cap * static_cast<int64_t>(app_.items.size()) : cap;
      return Settled(Precheck::Settled::kIneligible, Outcome::kIneligible);
    }
    // Nothing failed, but a missing fact could still fail a rule: never eligible on a guess.
    if (!missing_.empty()) return Settled(Precheck::Settled::kUndetermined, Outcome::kUndetermined);
    if (m->once == OnceRule::kPerItem) return SettleItems(*m);
    SettleAmount(*m, cap);
  }

  // Puts what Settle() decided in words: the reasons, the items and, when explaining, the trace.
  void Finish() {
    const Measure* m = pre_->measure;
    std::vector<DecisionReason>& failed = failed_;
    if (pre_->subject_checked) {
      if (const auto& e = pre_->subject_entry) {
        Text t{"该单位已就同一事项获得资助：" + EntryWhere(*e) + "；依据第四（十二）条，不得与深圳市其他支持政策重复享受",
               "The unit was already funded for the same subject: " + EntryWhere(*e) +
                   "; clause 4(12) forbids enjoying support twice with other Shenzhen policies"};
        if (explain_) Trace("ledger", "double_benefit", "四（十二）", "", EntryWhere(*e), false, t);
        failed.push_back({"double_benefit", t, ""});
      } else if (explain_) {
        Trace("ledger", "double_benefit", "四（十二）", "", "", true,
              {"台账中无同一单位同一事项的资助记录", "No earlier funding of this unit for this subject"});
      }
    }
    if (pre_->level_checked) {
      const bool first = m->once == OnceRule::kFirstTime;
      if (const auto& e = pre_->level_entry) {
        const std::string& key_level = m->level_fact.empty() ? std::string() : app_.level;
        std::string what_zh = key_level.empty() ? m->title.zh : LevelName(*m, key_level).zh;
        std::string what_en = key_level.empty() ? m->title.en : LevelName(*m, key_level).en;
        Text t{first ? "非首次获得" + what_zh + "（已于 " + EntryWhere(*e) + " 获得奖励），第" + m->clause + "条仅奖励首次获得"
                     : what_zh + "为一次性奖励，已于 " + EntryWhere(*e) + " 获得（第" + m->clause + "条）",
               first ? what_en + " was not obtained for the first time (already rewarded: " + EntryWhere(*e) +
                           "); clause " + policy::ClauseEn(m->clause) + " rewards the first time only"
                     : what_en + " is a one-time award, already received: " + EntryWhere(*e) + " (clause " + policy::ClauseEn(m->clause) + ")"};
        if (explain_) Trace("ledger", first ? "first_time" : "one_time", m->clause, "", EntryWhere(*e), false, t);
        failed.push_back({first ? "not_first_time" : "already_received", t, ""});
      } else if (explain_) {
        Trace("ledger", first ? "first_time" : "one_time", m->clause, "", "", true,
              {"台账中无该单位此措施（等次）的奖励记录", "No earlier award of this measure (level) to this unit"});
      }
    }
    switch (pre_->settled) {
      case Precheck::Settled::kIneligible: return Ineligible(std::move(failed));
      case Precheck::Settled::kUndetermined: return Undetermined();
      case Precheck::Settled::kPaid:
      case Precheck::Settled::kNothingPayable:
        if (m->once == OnceRule::kPerItem) return ItemWords(*m);
        return AmountWords(*m);
      case Precheck::Settled::kAmountError: {
        const expr::Value& v = *pre_->amount_value;
        std::string why = v.is_error() ? v.error_message() : "not an int";
        return Ineligible({{"amount_error",
                            {"资助金额无法计算（" + m->amount->source + "）：" + why,
                             "The amount could not be computed (" + m->amount->source + "): " + why},
                            ""}});
      }
      case Precheck::Settled::kNo: break;
    }
  }

 private:
  // Callers test explain_ first, so that the texts of a step are built only when explaining.
  void Trace(const char* rule, const std::string& id, const std::string& clause, const std::string& expr,
             const std::string& value, bool passed, const Text& detail) {
    d_->trace.push_back({rule, id, clause, expr, value, passed, detail});
  }

  enum class Truth { kTrue, kFalse, kUnknown };

  // A condition's value. Unknown when it depends on a fact the record does not give (CEL's
  // unknowns absorb through && and || exactly as errors do, so `false && unknown` is false).
  Truth Holds(const policy::Condition& c, const char* rule) {
    expr::Value v = c.program->Evaluate(activation_);
    if (v.is_unknown()) {
      for (const auto& a : v.unknown_attributes()) Missing(a);
      if (explain_) Trace(rule, c.id, c.where.file + ":" + std::to_string(c.where.line), c.source, v.DebugString(), false,
            {"条件因缺少事实无法判定", "the condition cannot be decided: facts are missing"});
      return Truth::kUnknown;
    }
    bool ok = v.kind() == expr::Kind::kBool && v.bool_value();
    if (v.is_error()) last_error_ = v.error_message();
    if (explain_) Trace(rule, c.id, c.where.file + ":" + std::to_string(c.where.line), c.source, v.DebugString(), ok,
          ok ? Text{"条件成立", "condition holds"} : c.reason.text);
    return ok ? Truth::kTrue : Truth::kFalse;
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
    d_->reasons.push_back({"missing_facts",
                           {"缺少以下事实，尚无法判定：" + list, "Cannot be decided until these facts are known: " + list},
                           ""});
  }

  DecisionReason ReasonOf(const policy::Condition& c) {
    if (last_error_.empty()) return DecisionReason::Of(evaluator_.Reason(c));
    DecisionReason r{c.reason.code, c.reason.text, ""};
    r.text.zh += "（条件无法判定：" + last_error_ + "）";
    r.text.en += " (the condition could not be decided: " + last_error_ + ")";
    last_error_.clear();
    return r;
  }

  void Invalid() {
    pre_->done = true;
    d_->outcome = Outcome::kInvalid;
    for (const auto& e : app_.errors) d_->reasons.push_back({e.code, e.text, e.path});
  }

  void Ineligible(std::vector<DecisionReason> reasons) {
    pre_->done = true;
    d_->outcome = Outcome::kIneligible;
    d_->amount_fen = 0;
    d_->reasons = std::move(reasons);
  }

  DecisionReason EligibleReason(const Measure& m) {
    if (const auto* t = evaluator_.Texts(m, app_.level)) return DecisionReason::Of(t->eligible);
    return {m.eligible_reason.code, EligibleTextFor(m, app_.level), ""};
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
    if (rules_.policy->upgrade_pays_difference && m.ceiling.kind == policy::Ceiling::Kind::kByLevel &&
        (m.once == OnceRule::kFirstTime || m.once == OnceRule::kOneTime)) {
      int rank = LevelRank(m, app_.level);
      int64_t earlier = 0;
      for (const auto& e : ledger_->EntriesFor(app_.uscc, m.id)) {
        int r = LevelRank(m, e.level);
        if (r > rank) earlier += e.amount_fen;
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
    ledger_->Add({app_.uscc, rules_.policy->id, m.id, m.level_fact.empty() ? std::string_view() : app_.level,
                  app_.subject, amount, rules_.as_of},
                 {pre_->subject_hash, pre_->level_hash, 0}, /*is_item=*/false);
  }

  // The words for SettleAmount's result.
  void AmountWords(const Measure& m) {
    const int64_t cap = pre_->cap_fen, base = pre_->base_fen;
    // What the amount rests on, in words; made only when a reason needs it.
    std::optional<Text> basis_text;
    auto basis = [&]() -> const Text& {
      if (!basis_text) basis_text = Text{"上限" + YuanZh(cap), "ceiling " + YuanEn(cap)};
      return *basis_text;
    };
    if (m.amount) {
      const expr::Value& v = *pre_->amount_value;
      if (explain_) Trace("amount", "amount_fen", m.clause, m.amount->source, v.DebugString(), true,
            {"按公式计算金额", "amount computed by the formula"});
      const int64_t formula = std::max<int64_t>(v.int_value(), 0);
      if (v.int_value() < cap) {
        basis_text = Text{"按公式核定" + YuanZh(formula) + "（上限" + YuanZh(cap) + "）",
                          "formula amount " + YuanEn(formula) + " (ceiling " + YuanEn(cap) + ")"};
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
    DecisionReason amount_reason;
    if (app_.requested_fen && *app_.requested_fen < base) {
      amount_reason = {"requested_below_ceiling",
                       {"按申请金额" + YuanZh(amount) + "核定（低于" + basis().zh + "）",
                        "The requested " + YuanEn(amount) + " is paid (below the " + basis().en + ")"},
                       ""};
    } else if (app_.requested_fen && *app_.requested_fen > base) {
      amount_reason = {"capped_at_ceiling",
                       {"申请金额" + YuanZh(*app_.requested_fen) + "超过" + basis().zh + "，按" + YuanZh(amount) + "核定（各项支持限额均为上限，第四（十二）条）",
                        "The requested " + YuanEn(*app_.requested_fen) + " exceeds the " + basis().en + "; " + YuanEn(amount) +
                            " is paid (every amount is a ceiling, clause 4(12))"},
                       ""};
    } else if (const auto* t = amount == cap ? evaluator_.Texts(m, app_.level) : nullptr) {
      amount_reason = DecisionReason::Of(t->ceiling_paid);
    } else {
      amount_reason = {"ceiling",
                       {"按" + basis().zh + "核定" + YuanZh(amount), YuanEn(amount) + " is paid: the " + basis().en},
                       ""};
    }
    if (explain_) Trace("ceiling", m.id, m.clause, "", std::to_string(amount), true, amount_reason.Text());
    pre_->done = true;
    d_->reasons.push_back(EligibleReason(m));
    d_->reasons.push_back(std::move(amount_reason));
  }

  void SettleItems(const Measure& m) {
    const int64_t per_item = m.ceiling.fixed_fen;
    int64_t remaining = app_.requested_fen ? *app_.requested_fen : INT64_MAX;
    int64_t total = 0, cap_total = 0;
    int payable = 0;
    for (size_t k = 0; k < app_.items.size(); ++k) {
      const Item& item = app_.items[k];
      Precheck::ItemCheck& c = pre_->items[k];
      if (c.repeated) {
        c.result = Precheck::ItemCheck::Result::kRepeated;
      } else if (auto e = ledger_->FindSubject(app_.uscc, item.key, c.subject_hash); e && e->measure != m.id) {
        // Clause （十二）: the same certificate funded for this unit under another policy.
        c.result = Precheck::ItemCheck::Result::kDoubleBenefit;
        c.entry = std::move(e);
      } else if (auto f = ledger_->FindItem(m.id, item.key, c.item_hash)) {
        c.result = Precheck::ItemCheck::Result::kFunded;
        c.entry = std::move(f);
      } else {
        ++payable;
        cap_total += per_item;
        const int64_t pay = std::min(per_item, remaining);
        remaining -= pay;
        total += pay;
        c.result = Precheck::ItemCheck::Result::kPaid;
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
      ledger_->Add({app_.uscc, rules_.policy->id, m.id, "", app_.items[k].key, c.amount_fen, rules_.as_of},
                   {c.subject_hash, pre_->level_hash, c.item_hash}, /*is_item=*/true);
    }
    ledger_->Add({app_.uscc, rules_.policy->id, m.id, "", app_.subject, 0, rules_.as_of},
                 {pre_->subject_hash, pre_->level_hash, 0}, /*is_item=*/false, /*subject_only=*/true);
  }

  // The words for SettleItems' result: each item's outcome, then the application's.
  void ItemWords(const Measure& m) {
    const int64_t per_item = m.ceiling.fixed_fen;
    const FixedReason& paid_in_full = evaluator_.Texts(m, "")->per_item;
    int64_t total = 0, cap_total = 0;
    int payable = 0;
    d_->items.reserve(app_.items.size());
    for (size_t k = 0; k < app_.items.size(); ++k) {
      const Item& item = app_.items[k];
      const Precheck::ItemCheck& c = pre_->items[k];
      ItemDecision& it = d_->items.emplace_back();
      it.key = item.key;
      it.type = item.type;
      it.cap_fen = per_item;
      switch (c.result) {
        case Precheck::ItemCheck::Result::kRepeated:
          it.outcome = Outcome::kIneligible;
          it.cap_fen = 0;
          it.reasons.push_back({"duplicate_in_application",
                                {"证书编号 " + item.key + " 在本申请中重复，只资助一次", "Certificate " + item.key + " appears twice in this application and is paid once"},
                                ""});
          break;
        case Precheck::ItemCheck::Result::kDoubleBenefit:
          it.outcome = Outcome::kIneligible;
          it.reasons.push_back({"double_benefit",
                                {"证书编号 " + item.key + " 已获深圳市其他政策资助（" + EntryWhere(*c.entry) + "），不得重复享受（第四（十二）条）",
                                 "Certificate " + item.key + " was already funded under another Shenzhen policy (" + EntryWhere(*c.entry) +
                                     "); support may not be enjoyed twice (clause 4(12))"},
                                ""});
          break;
        case Precheck::ItemCheck::Result::kFunded:
          it.outcome = Outcome::kIneligible;
          it.reasons.push_back({"certificate_already_funded",
                                {"证书编号 " + item.key + " 已获资助（" + EntryWhere(*c.entry) + "），每项认证仅资助一次（第" + m.clause + "条）",
                                 "Certificate " + item.key + " was already funded (" + EntryWhere(*c.entry) + "); each certification is funded once (clause " + policy::ClauseEn(m.clause) + ")"},
                                ""});
          break;
        case Precheck::ItemCheck::Result::kPaid: {
          const int64_t pay = c.amount_fen;
          ++payable;
          cap_total += per_item;
          total += pay;
          it.outcome = Outcome::kEligible;
          it.amount_fen = pay;
          if (pay == per_item) {
            it.reasons.push_back(DecisionReason::Of(paid_in_full));
          } else {
            it.reasons.push_back({"requested_below_ceiling",
                                  {"申请金额已分配完毕，本项核定" + YuanZh(pay) + "（上限" + YuanZh(per_item) + "）",
                                   "the requested amount leaves " + YuanEn(pay) + " for this item (ceiling " + YuanEn(per_item) + ")"},
                                  ""});
          }
          break;
        }
      }
      if (explain_) Trace("item", item.key, m.clause, "", std::to_string(it.amount_fen), it.outcome == Outcome::kEligible,
            it.reasons.back().Text());
    }
    if (payable == 0) {
      return Ineligible({{"no_payable_certificate",
                          {"本申请的认证均已获资助或重复，无可资助项目（第" + m.clause + "条）",
                           "None of the certificates in this application can be paid: each was already funded or repeated (clause " + policy::ClauseEn(m.clause) + ")"},
                          ""}});
    }
    pre_->done = true;
    d_->reasons.push_back(EligibleReason(m));
    if (app_.requested_fen && *app_.requested_fen < cap_total) {
      d_->reasons.push_back({"requested_below_ceiling",
                             {"按申请金额" + YuanZh(total) + "核定（可资助认证" + std::to_string(payable) + "项，上限合计" + YuanZh(cap_total) + "）",
                              "The requested " + YuanEn(total) + " is paid (" + std::to_string(payable) + " payable certificate(s), ceiling " + YuanEn(cap_total) + ")"},
                             ""});
    } else {
      d_->reasons.push_back({"ceiling",
                             {"可资助认证" + std::to_string(payable) + "项，每项最高" + YuanZh(per_item) + "，合计" + YuanZh(total),
                              std::to_string(payable) + " payable certificate(s) at up to " + YuanEn(per_item) + " each: " + YuanEn(total)},
                             ""});
    }
  }

  const Evaluator& evaluator_;
  const policy::RuleSet& rules_;
  const Application& app_;
  Ledger* ledger_ = nullptr;
  bool explain_;
  Precheck* pre_;
  Decision* d_;
  std::vector<std::string>& missing_;
  std::vector<DecisionReason>& failed_;
  ApplicationActivation activation_;
  std::string last_error_;
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
  if (rules.guide) AppendJsonString(&p, rules.guide->id + "@" + rules.guide->version);
  else p += "null";
  p += ",\"as_of\":";
  AppendJsonString(&p, policy::FormatDate(rules.as_of));
  auto add_reasons = [&](const std::vector<policy::Condition>& conditions) {
    for (const auto& c : conditions) condition_reasons_.emplace(&c, FixedReason(c.reason.code, c.reason.text));
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
    if (m->support != Support::kPayment) continue;
    std::vector<std::string> levels{""};
    for (const auto& [level, fen] : m->ceiling.by_level) levels.push_back(level);
    for (const auto& level : levels) {
      int64_t cap = m->ceiling.kind == policy::Ceiling::Kind::kByLevel ? CeilingFor(*m, level) : m->ceiling.fixed_fen;
      texts_[m].emplace_back(level, LevelTexts{FixedReason(m->eligible_reason.code, EligibleTextFor(*m, level)),
                            FixedReason("ceiling", CeilingPaidText(cap)),
                            FixedReason("per_certificate", {"每项认证最高" + YuanZh(cap), "up to " + YuanEn(cap) + " per certification"})});
    }
  }
}

void Precheck::Clear() {
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
  level_entry.reset();
  cap_fen = base_fen = earlier_fen = 0;
}

void Evaluator::Prepare(const Application& app, bool explain, Precheck* pre) const {
  pre->Clear();
  pre->decision.reasons.reserve(2);  // most decisions give one or two reasons
  Decider(*this, app, explain, pre).Stateless();
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

const FixedReason& Evaluator::Reason(const policy::Condition& c) const { return condition_reasons_.at(&c); }

FixedReason Evaluator::KindText(const Measure& m, const std::string& kind) {
  std::string kinds;
  for (const auto& k : m.applicants) kinds += (kinds.empty() ? "" : ", ") + k;
  return FixedReason("applicant_kind_not_allowed",
                     {"第" + m.clause + "条的支持对象为：" + kinds + "；申报单位类型为 " + kind,
                      "Clause " + policy::ClauseEn(m.clause) + " supports: " + kinds + "; the applicant is " + kind});
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
