// The policy as data: a Policy (the measures of one policy document, clause by clause), the
// annual Guide that adds conditions, a window, data lists and the budget, and Amendments that
// add, change or cancel measures from a date (clause （十三）). Loaded from YAML by loader.h and
// compiled: every CEL condition and amount is a ready Program. Immutable once loaded; shared by
// all evaluations and threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "expr/program.h"
#include "expr/value.h"

namespace qgrant::policy {

// The largest amount any input, ceiling or sum may hold: 10^15 fen (10 trillion yuan), far above
// any budget and far below where int64 arithmetic could wrap (CONTRACT §6, "Money is integers").
inline constexpr int64_t kMaxAmountFen = 1'000'000'000'000'000;

// Text in both languages. Every text a person reads has both.
struct Text {
  std::string zh;
  std::string en;
};

// Why a rule passed or failed, as it appears in a decision.
struct Reason {
  std::string code;
  Text text;
};

// A calendar date; days since 1970-01-01.
struct Date {
  int64_t days = 0;
  bool operator<(const Date& o) const { return days < o.days; }
  bool operator<=(const Date& o) const { return days <= o.days; }
  bool operator==(const Date& o) const { return days == o.days; }
};

[[nodiscard]] bool ParseDate(std::string_view text, Date* out);
std::string FormatDate(Date d);
Date AddYears(Date d, int years);

// A clause number as English text writes it: "三（八）" -> "3(8)", "（十四）" -> "(14)",
// "四（十二）" -> "4(12)". Anything that is not a clause number in Chinese numerals and full-width
// parentheses (a file:line, a guide id) comes back unchanged.
std::string ClauseEn(std::string_view clause);

// Where a rule was written, for diagnostics and explanations.
struct SourceRef {
  std::string file;
  int line = 0;
  int column = 0;
};

// A fact an application carries under `facts`, declared so that input is validated (closed
// lists reject other values as invalid) and CEL expressions are checked against it.
struct FactSpec {
  enum class Type { kString, kInt, kBool, kDate, kList, kObject };
  std::string name;
  Type type = Type::kString;
  bool required = false;
  std::vector<std::string> enum_values;  // closed list; empty means open
  int64_t min_items = 0;                 // kList
  std::vector<FactSpec> fields;          // kObject, or the item of a kList
  bool list_of_objects = false;
  // How a free string is compared with an open list (CONTRACT §6, second reading): as written,
  // as a key (NFKC, trimmed, upper case), or as a standard's number (a key without its edition
  // year). Rules see the compared form.
  enum class Match { kExact, kKey, kStandard };
  Match match = Match::kExact;
  // How the fact reads to people (证书编号 / Certificate number): `label`, when the policy gives one.
  std::optional<Text> label;
  // The names of its values (green_product -> 绿色产品认证): `value_names`, each a value of the enum.
  // A measure's level fact takes the measure's level_names here instead (value_names on it is an
  // error: one place names a level).
  std::map<std::string, Text> value_names;
  // The name and the enum values as CEL strings, made once: every application reuses them.
  expr::Value name_value;
  std::vector<expr::Value> enum_value_values;
};

// A condition in CEL that must hold; `reason` explains a failure.
struct Condition {
  std::string id;
  std::string source;  // the CEL text
  SourceRef where;
  std::shared_ptr<const expr::Program> program;
  Reason reason;
  std::string origin;  // "policy", or the guide or amendment id that added it
  // The facts the expression reads: `facts.x` for each x listed, or every fact when it uses
  // `facts` in another way. Readers build only the facts some rule reads.
  std::vector<std::string> facts_read;
  bool reads_all_facts = false;
  // The facts of `facts_read` read only item by item, in comprehensions that select fields of
  // the item (`facts.certificates.all(c, c.issued_on >= …)`), with the fields they select:
  // readers build those fields of each item and no others. A fact read in another way is not
  // here, and is built whole.
  std::vector<std::pair<std::string, std::vector<std::string>>> item_fields_read;
  // The expression reads the applicant's yes/no fields (registered_in_shenzhen,
  // serious_dishonesty) and nothing else: its value follows from theirs, so the engine works it
  // out once for each way they can be (false, true, unknown) rather than for every application.
  bool reads_only_applicant_flags = false;
  // The one fact the expression reads, when it reads nothing else but the policy's data (empty
  // otherwise): its value follows from that fact's, so a round keeps it by the fact's value
  // (engine::ConditionMemo) rather than evaluating it for every application.
  std::string memo_fact;
};

// How much a measure may pay at most.
struct Ceiling {
  enum class Kind { kFixed, kByLevel, kPerItem };
  Kind kind = Kind::kFixed;
  int64_t fixed_fen = 0;                                  // kFixed, kPerItem (per item)
  std::vector<std::pair<std::string, int64_t>> by_level;  // kByLevel, in rank order (highest first)
};

enum class Support { kPayment, kReferral, kNonMonetary };
enum class OnceRule { kNone, kFirstTime, kOneTime, kPerItem };
// What a first-time or one-time rule is keyed by, beside the unit: the measure and its level
// (（八） China and Guangdong awards: the award and its nomination are two honours), or the
// measure alone (（八） Mayor's award: "首次获得深圳市市长质量奖", the grade only sets the amount).
enum class OnceKey { kLevel, kMeasure };

struct Measure {
  std::string id;
  std::string clause;  // "三（八）"
  Text title;
  Text text;  // quoted from the source
  Support support = Support::kPayment;
  Text referral;                        // kReferral: where the applicant is sent
  std::vector<std::string> applicants;  // allowed applicant kinds
  std::vector<FactSpec> facts;
  std::string level_fact;  // fact that keys first-time/one-time and the ceiling table
  OnceRule once = OnceRule::kNone;
  OnceKey once_key = OnceKey::kLevel;
  // （六） pays "the unit": at most one eligible application per unit per round.
  bool once_per_unit_in_round = false;
  // （十） pays the organising unit of an honoured zone: the subject is paid once, whoever applies.
  bool subject_paid_once = false;
  // A qualitative condition only experts judge (（一）（二）（七）（十一）): quoted in decisions, decided by
  // the application's `review`.
  std::optional<Text> review;
  std::string items_fact;  // kPerItem: the list fact
  std::string item_key;    // kPerItem: the field that identifies an item (certificate number)
  Ceiling ceiling;
  std::optional<Condition> amount;  // optional CEL amount in fen, capped by the ceiling
  std::vector<Condition> conditions;
  Reason eligible_reason;                   // may say {level}: replaced by the level's name
  std::map<std::string, Text> level_names;  // level value -> its name (中国质量奖提名奖)
  SourceRef where;
  std::string origin;  // "policy" or the amendment that added or last changed it
};

// A general provision (clauses （十二）–（十四）): not a measure, but a rule the system enforces.
struct Provision {
  std::string clause;
  Text text;
  std::string enforced_by;  // which part of the system carries it out
};

struct Policy {
  std::string id;
  std::string version;
  Text title;
  Text authority;
  std::optional<Date> effective_from;  // the draft leaves it blank; then it must be set elsewhere
  int validity_years = 5;
  bool upgrade_pays_difference = false;  // default: a higher level pays its full ceiling
  // Achievements dated before this are not funded (default: effective_from).
  std::optional<Date> achievements_from;
  // Further applicant fields an application may carry (years_operating, ...), beside the
  // contract's five and established_on and district.
  std::vector<FactSpec> applicant_facts;
  expr::Value data;  // open lists kept as data (map)
  std::vector<Condition> exclusions;
  std::vector<Measure> measures;
  std::vector<Provision> provisions;
  std::string file;
};

struct Guide {
  std::string id;
  std::string version;
  std::string policy_id;
  int year = 0;
  Text title;
  std::optional<Date> window_opens, window_closes;
  int64_t budget_fen = -1;  // -1: not set
  std::string allocation_strategy;
  std::optional<Date> achievements_from;  // narrows the policy's
  // Per-unit item limits by measure: at most N items paid to one unit in the guide's year.
  std::map<std::string, int64_t> items_per_unit_per_year;
  expr::Value data;                                          // overrides the policy's lists of the same name
  std::map<std::string, std::vector<Condition>> conditions;  // by measure id
  std::string file;
};

struct Amendment {
  std::string id;
  std::string version;
  std::string policy_id;
  Date effective_from;
  Text title;
  std::string approved_by;  // the city government's approving document (clause （十三）)
  std::optional<Date> approved_on;
  std::vector<Measure> added;
  std::vector<std::string> cancelled;
  // Changes to existing measures: the measure as it reads after the change.
  std::vector<Measure> changed;
  std::string file;
};

// Calls `f` with every string of `data` (a policy's or guide's lists kept as data), in lists and
// maps at any depth, in order: what open-list values are matched against.
void ForEachDataString(const expr::Value& data, const std::function<void(const std::string&)>& f);

// The rules in force on one date: the policy with every amendment effective by then applied,
// plus the guide. What an evaluation uses, and what a decision cites.
struct RuleSet {
  std::shared_ptr<const Policy> policy;
  std::shared_ptr<const Guide> guide;  // may be null
  Date as_of;
  bool in_force = true;          // the policy's validity covers as_of
  Date valid_from, valid_until;  // valid_until exclusive
  Date achievements_from;        // the earliest achievement date funded (policy, narrowed by the guide)
  std::vector<const Measure*> measures;
  std::map<std::string, std::string> cancelled;  // measure id -> amendment id
  std::vector<std::string> amendments_applied;
  expr::Value data;  // policy data overlaid with the guide's
  std::vector<std::shared_ptr<const Amendment>> keep_alive;

  const Measure* FindMeasure(std::string_view id) const;
  // Where the measure `id` is in `measures` (SIZE_MAX: not there).
  size_t MeasureIndex(std::string_view id) const;
};

}  // namespace qgrant::policy
