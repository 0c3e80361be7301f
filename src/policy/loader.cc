#include "policy/loader.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "policy/compile.h"
#include "policy/yaml_reader.h"

namespace qgrant::policy {
namespace fs = std::filesystem;

const std::vector<std::string>& ApplicantKinds() {
  static const std::vector<std::string> kKinds = {"enterprise", "public_institution", "social_organization",
                                                  "park_organizer"};
  return kKinds;
}

namespace {

// The whole of `path`; otherwise why not (no such file, a directory, no permission), which is
// what the reader needs to put right.
std::optional<std::string> ReadFile(const std::string& path, std::string* text) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return "cannot read file: it is a directory";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot read file: ") + std::strerror(errno);
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::string("cannot read file: ") + std::strerror(errno);
  *text = ss.str();
  return std::nullopt;
}

// A plain decimal integer as YAML writes one (`-12`, `300_000_000` is not data): not a date
// (2026-01-01), a telephone number with a leading zero (0755-8888) or a code.
bool IsDataInteger(const std::string& s) {
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  if (s[i] == '0' && s.size() - i > 1) return false;
  return s.find_first_not_of("0123456789", i) == std::string::npos;
}

// YAML data (lists of names, numbers, nested maps) -> a CEL value. A map with a repeated key is
// reported by the reader (ReportDuplicateKeys); here it keeps the first.
expr::Value DataValue(const YAML::Node& n) {
  if (n.IsSequence()) {
    expr::ValueList items;
    for (const auto& e : n) items.push_back(DataValue(e));
    return expr::Value::List(std::move(items));
  }
  if (n.IsMap()) {
    std::vector<std::pair<expr::Value, expr::Value>> entries;
    for (auto it = n.begin(); it != n.end(); ++it) {
      expr::Value key = expr::Value::String(it->first.Scalar());
      if (std::any_of(entries.begin(), entries.end(),
                      [&](const auto& e) { return e.first.string_value() == key.string_value(); }))
        continue;
      entries.emplace_back(std::move(key), DataValue(it->second));
    }
    std::string err;
    auto map = expr::MapValue::Make(std::move(entries), &err);
    return map ? expr::Value::Map(std::move(map)) : expr::Value::Map(expr::MapValue::Make({}, nullptr));
  }
  if (n.IsNull()) return expr::Value::Null();
  const std::string& s = n.Scalar();
  if (n.Tag() != "!" && !s.empty() && IsDataInteger(s)) return expr::Value::Int(std::stoll(s));
  if (n.Tag() != "!" && (s == "true" || s == "false")) return expr::Value::Bool(s == "true");
  return expr::Value::String(s);
}

expr::Value MergeData(const expr::Value& base, const expr::Value& over) {
  if (base.kind() != expr::Kind::kMap) return over;
  if (over.kind() != expr::Kind::kMap) return base;
  std::vector<std::pair<expr::Value, expr::Value>> entries;
  for (const auto& e : base.map_value().entries()) {
    if (over.map_value().Find(e.first) == nullptr) entries.push_back(e);
  }
  for (const auto& e : over.map_value().entries()) entries.push_back(e);
  std::string err;
  return expr::Value::Map(expr::MapValue::Make(std::move(entries), &err));
}

std::optional<Reason> ParseReason(const YamlReader& r, const YAML::Node& map, const char* key, bool required) {
  YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) r.Error(map, std::string("missing required field '") + key + "' ({code, zh, en})");
    return std::nullopt;
  }
  if (!n.IsMap()) {
    r.Error(n, std::string("'") + key + "' must be {code: ..., zh: ..., en: ...}");
    return std::nullopt;
  }
  r.CheckKeys(n, {"code", "zh", "en"}, std::string("'") + key + "'");
  Reason reason;
  auto code = r.String(n, "code", true);
  auto zh = r.String(n, "zh", true);
  auto en = r.String(n, "en", true);
  if (!code || !zh || !en) return std::nullopt;
  reason.code = *code;
  reason.text = {*zh, *en};
  return reason;
}

// label: {zh, en}, how the fact reads to people; value_names: {value: {zh, en}} for the values of
// its enum, each one a value of it.
void ParseFactNames(const YamlReader& r, const YAML::Node& n, FactSpec* f) {
  if (Child(n, "label").IsDefined()) f->label = r.TextField(n, "label", true);
  const YAML::Node names = Child(n, "value_names");
  if (!names.IsDefined()) return;
  if (f->enum_values.empty()) {
    r.Error(names, "fact '" + f->name + "': value_names names the values of an enum, and this fact has none");
    return;
  }
  if (!names.IsMap()) {
    r.Error(names, "fact '" + f->name + "': value_names maps each value of its enum to {zh: ..., en: ...}");
    return;
  }
  std::string known;
  for (const auto& v : f->enum_values) known += (known.empty() ? "" : ", ") + v;
  for (auto it = names.begin(); it != names.end(); ++it) {
    const std::string value = it->first.Scalar();
    if (std::find(f->enum_values.begin(), f->enum_values.end(), value) == f->enum_values.end()) {
      r.Error(it->first, "fact '" + f->name + "': value_names names '" + value +
                             "', which is not a value of its enum (" + known + ")");
      continue;
    }
    if (auto t = r.TextField(names, value.c_str(), true)) f->value_names[value] = *t;
  }
}

std::optional<FactSpec> ParseFactSpec(const YamlReader& r, const std::string& name, const YAML::Node& n) {
  FactSpec f;
  f.name = name;
  if (!n.IsMap()) {
    r.Error(n, "fact '" + name + "' must be {type: ..., required: ..., enum: [...]}");
    return std::nullopt;
  }
  r.CheckKeys(n, {"type", "required", "enum", "min_items", "items", "match", "label", "value_names"},
              "fact '" + name + "'");
  auto type = r.String(n, "type", true);
  if (!type) return std::nullopt;
  static const std::pair<const char*, FactSpec::Type> kTypes[] = {
      {"string", FactSpec::Type::kString}, {"int", FactSpec::Type::kInt},   {"bool", FactSpec::Type::kBool},
      {"date", FactSpec::Type::kDate},     {"list", FactSpec::Type::kList}, {"object", FactSpec::Type::kObject}};
  bool known = false;
  for (const auto& [tn, t] : kTypes) {
    if (*type == tn) {
      f.type = t;
      known = true;
    }
  }
  if (!known) {
    r.Error(Child(n, "type"), "unknown fact type '" + *type + "' (string, int, bool, date, list, object)");
    return std::nullopt;
  }
  f.required = r.Bool(n, "required", false).value_or(false);
  f.enum_values = r.StringList(n, "enum", false);
  f.name_value = expr::Value::String(name);
  for (const auto& v : f.enum_values) f.enum_value_values.push_back(expr::Value::String(v));
  if (!f.enum_values.empty() && f.type != FactSpec::Type::kString) {
    r.Error(Child(n, "enum"), "only string facts can have an enum");
  }
  ParseFactNames(r, n, &f);
  f.min_items = r.Int(n, "min_items", false).value_or(0);
  if (auto match = r.String(n, "match", false)) {
    if (*match == "key")
      f.match = FactSpec::Match::kKey;
    else if (*match == "standard")
      f.match = FactSpec::Match::kStandard;
    else if (*match != "exact")
      r.Error(Child(n, "match"), "match must be exact, key or standard, found '" + *match + "'");
    if (f.type != FactSpec::Type::kString || !f.enum_values.empty()) {
      r.Error(Child(n, "match"), "match applies to string facts without an enum (open lists)");
    }
  }
  YAML::Node items = Child(n, "items");
  if (f.type == FactSpec::Type::kList || f.type == FactSpec::Type::kObject) {
    if (!items.IsDefined() || !items.IsMap()) {
      r.Error(n, "fact '" + name + "' of type " + *type + " needs 'items': its fields, {name: {type: ...}}");
      return std::nullopt;
    }
    // A list of scalars is written items: {type: string}; a list of objects names its fields.
    if (f.type == FactSpec::Type::kList && Child(items, "type").IsDefined() && Child(items, "type").IsScalar()) {
      auto item = ParseFactSpec(r, name + "[]", items);
      if (!item) return std::nullopt;
      f.fields.push_back(*item);
    } else {
      f.list_of_objects = f.type == FactSpec::Type::kList;
      for (auto it = items.begin(); it != items.end(); ++it) {
        auto field = ParseFactSpec(r, it->first.Scalar(), it->second);
        if (field) f.fields.push_back(*field);
      }
    }
  } else if (items.IsDefined()) {
    r.Error(items, "'items' applies only to list and object facts");
  }
  return f;
}

std::vector<FactSpec> ParseFacts(const YamlReader& r, const YAML::Node& n) {
  std::vector<FactSpec> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) {
    r.Error(n, "'facts' must map fact names to their declarations");
    return out;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto f = ParseFactSpec(r, it->first.Scalar(), it->second);
    if (f) out.push_back(std::move(*f));
  }
  return out;
}

std::vector<Condition> ParseConditions(const YamlReader& r, const YAML::Node& n, const expr::TypeEnv& env,
                                       const std::string& origin) {
  std::vector<Condition> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    r.Error(n, "'conditions' must be a list of {id, when, reason}");
    return out;
  }
  std::set<std::string> ids;
  for (const auto& c : n) {
    if (!c.IsMap()) {
      r.Error(c, "a condition must be {id, when, reason}");
      continue;
    }
    r.CheckKeys(c, {"id", "when", "reason"}, "condition");
    Condition cond;
    cond.origin = origin;
    auto id = r.String(c, "id", true);
    auto when = r.String(c, "when", true);
    auto reason = ParseReason(r, c, "reason", true);
    if (!id || !when || !reason) continue;
    if (!ids.insert(*id).second) r.Error(Child(c, "id"), "condition '" + *id + "' is defined twice");
    cond.id = *id;
    cond.source = *when;
    cond.where = r.Where(Child(c, "when"));
    cond.reason = *reason;
    cond.program = CompileExpression(r, Child(c, "when"), *when, env, ExpectedType::kBool, &cond);
    if (cond.program) {
      ConstantTruth truth = EvaluateIfConstant(*cond.program);
      if (truth == ConstantTruth::kAlwaysFalse) {
        r.Error(Child(c, "when"),
                "condition '" + *id + "' is always false: the measure can never be eligible (unreachable)");
      } else if (truth == ConstantTruth::kAlwaysTrue) {
        r.Warning(Child(c, "when"), "condition '" + *id + "' is always true: it decides nothing");
      }
      if (std::string err = ConstantError(*cond.program); !err.empty()) {
        r.Error(Child(c, "when"), "condition '" + *id + "' fails for every application: " + err);
      }
    }
    out.push_back(std::move(cond));
  }
  return out;
}

const FactSpec* FindFact(const std::vector<FactSpec>& facts, const std::string& name) {
  for (const auto& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// support: payment, referral (with refer_to) or non_monetary; returns the word as written.
std::string ParseSupport(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  std::string support = r.String(n, "support", false).value_or("payment");
  if (support == "payment")
    m->support = Support::kPayment;
  else if (support == "referral")
    m->support = Support::kReferral;
  else if (support == "non_monetary")
    m->support = Support::kNonMonetary;
  else
    r.Error(Child(n, "support"), ctx + ": support must be payment, referral or non_monetary, found '" + support + "'");
  if (m->support == Support::kReferral) {
    m->referral = r.TextField(n, "refer_to", true).value_or(Text{});
  } else if (Child(n, "refer_to").IsDefined()) {
    r.Error(Child(n, "refer_to"), ctx + ": only referral measures refer elsewhere");
  }
  return support;
}

// The applicant kinds that may apply, each one of the contract's kinds.
void ParseApplicants(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  m->applicants = r.StringList(n, "applicants", true);
  if (const YAML::Node list = Child(n, "applicants"); list.IsDefined() && list.IsSequence()) {
    const auto& kinds = ApplicantKinds();
    std::string known;
    for (const auto& k : kinds) known += (known.empty() ? "" : ", ") + k;
    for (const auto& item : list) {  // the caret under the kind itself
      if (item.IsScalar() && std::find(kinds.begin(), kinds.end(), item.Scalar()) == kinds.end()) {
        r.Error(item, ctx + ": unknown applicant kind '" + item.Scalar() + "' (the kinds are " + known + ")");
      }
    }
  }
  if (Child(n, "applicants").IsDefined() && m->applicants.empty()) {
    r.Error(Child(n, "applicants"), ctx + " is unreachable: no applicant kind may apply");
  }
}

// How often the measure pays: once (and once_per), once per unit per round, a subject paid once.
void ParseOnce(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  std::string once = r.String(n, "once", false).value_or("none");
  if (once == "none")
    m->once = OnceRule::kNone;
  else if (once == "first_time")
    m->once = OnceRule::kFirstTime;
  else if (once == "one_time")
    m->once = OnceRule::kOneTime;
  else if (once == "per_item")
    m->once = OnceRule::kPerItem;
  else
    r.Error(Child(n, "once"), ctx + ": once must be none, first_time, one_time or per_item, found '" + once + "'");
  if (auto per = r.String(n, "once_per", false)) {
    if (*per == "measure")
      m->once_key = OnceKey::kMeasure;
    else if (*per != "level")
      r.Error(Child(n, "once_per"), ctx + ": once_per must be level or measure, found '" + *per + "'");
    if (m->once != OnceRule::kFirstTime && m->once != OnceRule::kOneTime) {
      r.Error(Child(n, "once_per"), ctx + ": once_per applies to once: first_time or one_time");
    }
  }
  m->once_per_unit_in_round = r.Bool(n, "one_per_unit_per_round", false).value_or(false);
  m->subject_paid_once = r.Bool(n, "subject_paid_once", false).value_or(false);
}

// level: the required string fact that grades the award, and level_names for its values.
void ParseLevel(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  if (auto level = r.String(n, "level", false)) {
    m->level_fact = *level;
    const FactSpec* f = FindFact(m->facts, *level);
    if (f == nullptr) {
      r.Error(Child(n, "level"), ctx + ": level names fact '" + *level + "', which is not declared under facts");
    } else if (f->type != FactSpec::Type::kString || !f->required) {
      r.Error(Child(n, "level"), ctx + ": the level fact '" + *level + "' must be a required string fact");
    }
  }
  YAML::Node names = Child(n, "level_names");
  if (!names.IsDefined()) return;
  const FactSpec* lf = m->level_fact.empty() ? nullptr : FindFact(m->facts, m->level_fact);
  if (!names.IsMap() || lf == nullptr) {
    r.Error(names, ctx + ": level_names maps each value of the level fact to {zh, en}");
    return;
  }
  for (auto it = names.begin(); it != names.end(); ++it) {
    std::string level = it->first.Scalar();
    // A closed level names its values; an open one (a data list, which a guide may replace)
    // names the values it expects, as the data spells them.
    if (!lf->enum_values.empty() &&
        std::find(lf->enum_values.begin(), lf->enum_values.end(), level) == lf->enum_values.end()) {
      r.Error(it->first, ctx + ": '" + level + "' is not a value of facts." + m->level_fact);
    }
    if (auto t = r.TextField(names, level.c_str(), true)) m->level_names[level] = *t;
  }
}

// The level fact's values are named once, by level_names: value_names on it is an error, and it
// takes the level names as its value names, so that every fact's values are named in one place.
void NameLevelValues(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  if (m->level_fact.empty()) return;
  for (auto& f : m->facts) {
    if (f.name != m->level_fact) continue;
    const YAML::Node own = Child(Child(Child(n, "facts"), m->level_fact), "value_names");
    if (own.IsDefined() && !f.enum_values.empty()) {  // without an enum, ParseFactNames has said so
      r.Error(own, ctx + ": the level fact '" + m->level_fact +
                       "' is named by level_names; give the names of its values there, not under value_names");
    }
    f.value_names = m->level_names;
  }
}

// items: what once: per_item counts (a list fact of objects and its key field).
void ParseItems(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  if (m->once != OnceRule::kPerItem) {
    if (Child(n, "items").IsDefined()) r.Error(Child(n, "items"), ctx + ": items apply only with once: per_item");
    return;
  }
  YAML::Node items = Child(n, "items");
  if (!items.IsMap()) {
    r.Error(n, ctx + ": once: per_item needs items: {fact: ..., key: ...}");
    return;
  }
  r.CheckKeys(items, {"fact", "key"}, "items");
  m->items_fact = r.String(items, "fact", true).value_or("");
  m->item_key = r.String(items, "key", true).value_or("");
  const FactSpec* f = FindFact(m->facts, m->items_fact);
  if (f == nullptr || !f->list_of_objects || FindFact(f->fields, m->item_key) == nullptr) {
    r.Error(items, ctx + ": items must name a list fact of objects and one of its fields");
  }
}

// A ceiling table by level: every value of the level fact has a positive ceiling, and nothing else.
void ParseCeilingByLevel(const YamlReader& r, const YAML::Node& n, const std::string& ctx, Measure* m) {
  YAML::Node ceiling = Child(n, "ceiling_fen");
  m->ceiling.kind = Ceiling::Kind::kByLevel;
  const FactSpec* lf = m->level_fact.empty() ? nullptr : FindFact(m->facts, m->level_fact);
  if (m->level_fact.empty()) r.Error(ceiling, ctx + ": a ceiling table by level needs 'level: <fact>'");
  for (auto it = ceiling.begin(); it != ceiling.end(); ++it) {
    auto v = r.Int(ceiling, it->first.Scalar().c_str(), true);
    if (!v) continue;
    if (*v <= 0) r.Error(it->second, ctx + ": ceiling for '" + it->first.Scalar() + "' must be positive");
    if (*v > kMaxAmountFen) r.Error(it->second, ctx + ": ceiling for '" + it->first.Scalar() + "' is above 10^15 fen");
    if (lf && std::find(lf->enum_values.begin(), lf->enum_values.end(), it->first.Scalar()) == lf->enum_values.end()) {
      r.Error(it->first,
              ctx + ": ceiling for '" + it->first.Scalar() + "' is unreachable: not a value of facts." + m->level_fact);
    }
    m->ceiling.by_level.emplace_back(it->first.Scalar(), *v);
  }
  if (!lf) return;
  for (const auto& level : lf->enum_values) {
    bool has = std::any_of(m->ceiling.by_level.begin(), m->ceiling.by_level.end(),
                           [&](const auto& e) { return e.first == level; });
    if (!has) r.Error(ceiling, ctx + ": level '" + level + "' has no ceiling, so it can never be paid");
  }
}

// ceiling_fen: fixed, per item, or by level; only payment measures have one.
void ParseCeiling(const YamlReader& r, const YAML::Node& n, const std::string& ctx, const std::string& support,
                  Measure* m) {
  YAML::Node ceiling = Child(n, "ceiling_fen");
  if (m->support != Support::kPayment) {
    if (ceiling.IsDefined())
      r.Error(ceiling, ctx + ": a " + support + " measure pays nothing under this policy, so it has no ceiling");
  } else if (!ceiling.IsDefined()) {
    r.Error(n, ctx + ": missing required field 'ceiling_fen'");
  } else if (ceiling.IsMap()) {
    ParseCeilingByLevel(r, n, ctx, m);
  } else if (auto v = r.Int(n, "ceiling_fen", true)) {
    if (*v <= 0) r.Error(ceiling, ctx + ": ceiling_fen must be positive");
    if (*v > kMaxAmountFen) r.Error(ceiling, ctx + ": ceiling_fen is above 10^15 fen (" + std::to_string(*v) + ")");
    m->ceiling.kind = m->once == OnceRule::kPerItem ? Ceiling::Kind::kPerItem : Ceiling::Kind::kFixed;
    m->ceiling.fixed_fen = *v;
  }
}

// amount_fen: the expression of what is paid, when less than the ceiling; an error when it fails
// for every application.
void ParseAmount(const YamlReader& r, const YAML::Node& n, const std::string& ctx, const expr::TypeEnv& env,
                 Measure* m) {
  if (!Child(n, "amount_fen").IsDefined()) return;
  auto src = r.String(n, "amount_fen", true);
  if (!src) return;
  Condition amount;
  amount.id = "amount_fen";
  amount.source = *src;
  amount.where = r.Where(Child(n, "amount_fen"));
  amount.program = CompileExpression(r, Child(n, "amount_fen"), *src, env, ExpectedType::kInt, &amount);
  if (amount.program) {
    if (std::string err = ConstantError(*amount.program); !err.empty()) {
      r.Error(Child(n, "amount_fen"), ctx + ": the amount fails for every application: " + err);
    }
  }
  m->amount = std::move(amount);
}

std::optional<Measure> ParseMeasure(const YamlReader& r, const YAML::Node& n, const expr::Value& data,
                                    const std::string& origin, const std::vector<FactSpec>& applicant_facts) {
  if (!n.IsMap()) {
    r.Error(n, "a measure must be a map of its fields");
    return std::nullopt;
  }
  r.CheckKeys(n,
              {"id",
               "clause",
               "title",
               "text",
               "support",
               "refer_to",
               "applicants",
               "facts",
               "level",
               "once",
               "items",
               "ceiling_fen",
               "amount_fen",
               "conditions",
               "eligible_reason",
               "level_names",
               "once_per",
               "one_per_unit_per_round",
               "subject_paid_once",
               "review"},
              "measure");
  Measure m;
  m.origin = origin;
  m.where = r.Where(n);
  auto id = r.String(n, "id", true);
  if (!id) return std::nullopt;
  m.id = *id;
  const std::string ctx = "measure '" + m.id + "'";
  m.clause = r.String(n, "clause", true).value_or("");
  m.title = r.TextField(n, "title", true).value_or(Text{});
  m.text = r.TextField(n, "text", true).value_or(Text{});
  const std::string support = ParseSupport(r, n, ctx, &m);
  ParseApplicants(r, n, ctx, &m);
  m.facts = ParseFacts(r, Child(n, "facts"));
  expr::TypeEnv env = MeasureEnv(m.facts, data, applicant_facts);
  ParseOnce(r, n, ctx, &m);
  if (Child(n, "review").IsDefined()) m.review = r.TextField(n, "review", true);
  ParseLevel(r, n, ctx, &m);
  NameLevelValues(r, n, ctx, &m);
  ParseItems(r, n, ctx, &m);
  ParseCeiling(r, n, ctx, support, &m);
  ParseAmount(r, n, ctx, env, &m);
  m.conditions = ParseConditions(r, Child(n, "conditions"), env, origin);
  if (m.support == Support::kPayment) {
    m.eligible_reason = ParseReason(r, n, "eligible_reason", true).value_or(Reason{});
  } else if (Child(n, "eligible_reason").IsDefined()) {
    m.eligible_reason = ParseReason(r, n, "eligible_reason", false).value_or(Reason{});
  }
  return m;
}

// Two payment measures that encode the same support: the same clause with the same quoted text
// or the same title. Applications name their measure, so both would pay for one achievement.
void CheckOverlaps(const std::vector<const Measure*>& measures, DiagnosticSink* sink) {
  for (size_t i = 0; i < measures.size(); ++i) {
    for (size_t j = i + 1; j < measures.size(); ++j) {
      const Measure &a = *measures[i], &b = *measures[j];
      if (a.support != Support::kPayment || b.support != Support::kPayment || a.clause != b.clause) continue;
      bool same_text = !a.text.zh.empty() && a.text.zh == b.text.zh;
      bool same_title = !a.title.zh.empty() && a.title.zh == b.title.zh;
      if (same_text || same_title) {
        sink->Error(b.where.file, b.where.line, b.where.column,
                    "measures '" + a.id + "' and '" + b.id + "' overlap: clause " + a.clause + " with the same " +
                        (same_text ? "text" : "title") + " encoded twice; one achievement could be paid twice");
      }
    }
  }
}

struct ParsedFile {
  std::string path;
  std::unique_ptr<YamlReader> reader;
  YAML::Node root;
  std::string kind;
};

std::optional<ParsedFile> ReadYaml(const std::string& path, DiagnosticSink* sink) {
  std::string text;
  if (std::optional<std::string> why = ReadFile(path, &text)) {
    sink->Error(path, 0, 0, *why);
    return std::nullopt;
  }
  ParsedFile f;
  f.path = path;
  f.reader = std::make_unique<YamlReader>(path, std::move(text), sink);
  if (!f.reader->Parse(&f.root)) return std::nullopt;
  if (!f.root.IsMap()) {
    sink->Error(path, 1, 1, "a policy file must be a YAML map with a 'kind' field");
    return std::nullopt;
  }
  f.kind = f.reader->String(f.root, "kind", true).value_or("");
  return f;
}

// The policy's `settings:`: its dates, the validity of clause （十四） and what an upgrade pays.
void ParseSettings(const YamlReader& r, const YAML::Node& n, Policy* p) {
  YAML::Node settings = Child(n, "settings");
  if (settings.IsDefined() && settings.IsMap()) {
    r.CheckKeys(settings, {"effective_from", "validity_years", "upgrade_pays", "achievements_from"}, "settings");
    p->effective_from = r.DateField(settings, "effective_from", false);
    p->achievements_from = r.DateField(settings, "achievements_from", false);
    p->validity_years = static_cast<int>(r.Int(settings, "validity_years", false).value_or(5));
    if (p->validity_years != 5) {
      r.Error(Child(settings, "validity_years"),
              "clause （十四） sets the validity at 5 years; found " + std::to_string(p->validity_years));
    }
    std::string up = r.String(settings, "upgrade_pays", false).value_or("full");
    if (up != "full" && up != "difference")
      r.Error(Child(settings, "upgrade_pays"), "upgrade_pays must be full or difference");
    p->upgrade_pays_difference = up == "difference";
  }
  // Absent, not merely invalid (DateField has reported a bad date at the value already).
  const YAML::Node& const_settings = settings;  // const: looking up a missing key must not add it
  if (!settings.IsDefined() || !settings.IsMap() || !Child(const_settings, "effective_from").IsDefined() ||
      Child(const_settings, "effective_from").IsNull()) {
    const std::string msg =
        "settings.effective_from is not set: the draft leaves the date of clause （十四） blank, so the deployment "
        "must set it";
    bool reported = false;  // at the `settings:` key when there is one (never assign YAML nodes: it aliases them)
    for (auto it = n.begin(); it != n.end() && !reported; ++it) {
      if (it->first.Scalar() == "settings") {
        r.Error(it->first, msg);
        reported = true;
      }
    }
    if (!reported) r.Error(n, msg);
  }
}

// The facts an applicant declares beyond the contract's own fields (CONTRACT §2), all scalars.
void ParseApplicantFacts(const YamlReader& r, const YAML::Node& n, Policy* p) {
  p->applicant_facts = ParseFacts(r, Child(n, "applicant_facts"));
  for (const auto& f : p->applicant_facts) {
    static const char* const kContract[] = {
        "uscc", "name", "kind", "registered_in_shenzhen", "serious_dishonesty", "established_on", "district"};
    if (std::find(std::begin(kContract), std::end(kContract), f.name) != std::end(kContract)) {
      r.Error(Child(n, "applicant_facts"), "applicant fact '" + f.name + "' is already an applicant field");
    }
    if (f.type == FactSpec::Type::kList || f.type == FactSpec::Type::kObject) {
      r.Error(Child(n, "applicant_facts"), "applicant fact '" + f.name + "' must be a string, int, bool or date");
    }
  }
}

// The provisions no measure carries, each naming what enforces it.
void ParseProvisions(const YamlReader& r, const YAML::Node& n, Policy* p) {
  YAML::Node provisions = Child(n, "provisions");
  if (!provisions.IsDefined()) return;
  if (!provisions.IsSequence()) r.Error(provisions, "'provisions' must be a list of {clause, text, enforced_by}");
  for (const auto& pn : provisions) {
    r.CheckKeys(pn, {"clause", "text", "enforced_by"}, "provision");
    Provision pv;
    pv.clause = r.String(pn, "clause", true).value_or("");
    pv.text = r.TextField(pn, "text", true).value_or(Text{});
    pv.enforced_by = r.String(pn, "enforced_by", true).value_or("");
    p->provisions.push_back(std::move(pv));
  }
}

// The policy's measures; an id defined twice is an error at the second.
void ParsePolicyMeasures(const YamlReader& r, const YAML::Node& n, Policy* p) {
  YAML::Node measures = Child(n, "measures");
  if (!measures.IsSequence() || measures.size() == 0) {
    r.Error(n, "a policy needs a non-empty list of measures");
    return;
  }
  std::map<std::string, SourceRef> seen;
  for (const auto& mn : measures) {
    auto m = ParseMeasure(r, mn, p->data, "policy", p->applicant_facts);
    if (!m) continue;
    auto [it, fresh] = seen.emplace(m->id, m->where);
    if (!fresh) {
      r.Error(mn, "measure '" + m->id + "' is defined twice (first at line " + std::to_string(it->second.line) + ")");
      continue;
    }
    p->measures.push_back(std::move(*m));
  }
}

std::shared_ptr<Policy> ParsePolicy(const ParsedFile& f) {
  const YamlReader& r = *f.reader;
  const YAML::Node& n = f.root;
  r.CheckKeys(n,
              {"kind", "id", "version", "title", "authority", "settings", "data", "exclusions", "measures",
               "provisions", "applicant_facts"},
              "policy");
  auto p = std::make_shared<Policy>();
  p->file = f.path;
  p->id = r.String(n, "id", true).value_or("");
  p->version = r.String(n, "version", true).value_or("");
  p->title = r.TextField(n, "title", true).value_or(Text{});
  p->authority = r.TextField(n, "authority", true).value_or(Text{});
  ParseSettings(r, n, p.get());
  p->data =
      Child(n, "data").IsDefined() ? DataValue(Child(n, "data")) : expr::Value::Map(expr::MapValue::Make({}, nullptr));
  if (p->data.kind() != expr::Kind::kMap) {
    r.Error(Child(n, "data"), "'data' must map list names to lists");
    p->data = expr::Value::Map(expr::MapValue::Make({}, nullptr));
  }
  ParseApplicantFacts(r, n, p.get());
  expr::TypeEnv env = ExclusionEnv(p->data, p->applicant_facts);
  p->exclusions = ParseConditions(r, Child(n, "exclusions"), env, "policy");
  ParseProvisions(r, n, p.get());
  ParsePolicyMeasures(r, n, p.get());
  return p;
}

// Clause （十三）: measures are added or cancelled "报市政府批准后执行" — an amendment names the approving
// document and its date, and takes effect within the policy's validity (clause （十四）), not before the
// approval.
void CheckApproval(const YamlReader& r, const YAML::Node& n, const Policy& policy, Date from, Amendment* a) {
  a->approved_by = r.String(n, "approved_by", false).value_or("");
  a->approved_on = r.DateField(n, "approved_on", false);
  if (a->approved_by.empty()) {
    r.Error(n, "amendment '" + a->id +
                   "' has no approved_by: clause （十三） requires the city government's approval (name the document)");
  }
  if (!Child(n, "approved_on").IsDefined()) {
    r.Error(n, "amendment '" + a->id + "' has no approved_on: the date of the city government's approval");
  } else if (a->approved_on && from < *a->approved_on) {
    r.Error(Child(n, "effective_from"),
            "amendment takes effect before it was approved (" + FormatDate(*a->approved_on) + ")");
  }
  if (!policy.effective_from) return;
  const Date until = AddYears(*policy.effective_from, policy.validity_years);
  if (from < *policy.effective_from) {
    r.Error(Child(n, "effective_from"), "amendment takes effect before the policy itself");
  } else if (!(from < until)) {
    r.Error(Child(n, "effective_from"), "amendment takes effect after the policy's validity ends (" +
                                            FormatDate(Date{until.days - 1}) + ", clause （十四）)");
  }
}

// Merges a change onto the YAML of the measure it changes: the fields it names replace the old.
YAML::Node MergeMeasure(const YAML::Node& base, const YAML::Node& change) {
  YAML::Node merged = YAML::Clone(base);
  for (auto it = change.begin(); it != change.end(); ++it) {
    std::string key = it->first.Scalar();
    if (key == "change") continue;
    merged[key] = it->second;
  }
  return merged;
}

}  // namespace

namespace {
bool LoadBundleImpl(const std::vector<std::string>& paths, PolicyBundle* out, DiagnosticSink* sink);
bool LoadGuideFileImpl(const std::string& path, const PolicyBundle& bundle, std::shared_ptr<const Guide>* out,
                       DiagnosticSink* sink);
}  // namespace

// The loaders check every node before use; this net turns anything they missed into a
// diagnostic rather than a crash, as a policy file is input like any other.
bool LoadBundle(const std::vector<std::string>& paths, PolicyBundle* out, DiagnosticSink* sink) {
  try {
    return LoadBundleImpl(paths, out, sink);
  } catch (const std::exception& e) {
    sink->Error(paths.empty() ? "" : paths[0], 0, 0, std::string("cannot read the policy: ") + e.what());
    return false;
  }
}

bool LoadGuideFile(const std::string& path, const PolicyBundle& bundle, std::shared_ptr<const Guide>* out,
                   DiagnosticSink* sink) {
  try {
    return LoadGuideFileImpl(path, bundle, out, sink);
  } catch (const std::exception& e) {
    sink->Error(path, 0, 0, std::string("cannot read the guide: ") + e.what());
    return false;
  }
}

namespace {

// The files a bundle is read from: each path given, a folder standing for its YAML files in order.
std::vector<std::string> ListBundleFiles(const std::vector<std::string>& paths, DiagnosticSink* sink) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); it != fs::recursive_directory_iterator(); ++it) {
        std::string ext = it->path().extension().string();
        if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) found.push_back(it->path().string());
      }
      // A folder named that holds no YAML file is a wrong path (a guide's folder given as the
      // guide, say), not an empty contribution to the bundle.
      if (found.empty()) sink->Error(p, 0, 0, "no .yaml or .yml file in this folder");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      sink->Error(p, 0, 0, "no such file or folder");
    }
  }
  return files;
}

// The bundle's one policy file, parsed; a second one is an error. Its measures' YAML too, which
// amendments change.
std::shared_ptr<Policy> ParseTheOnePolicy(std::vector<ParsedFile>& parsed, YAML::Node* measures) {
  std::shared_ptr<Policy> policy;
  for (auto& f : parsed) {
    if (f.kind != "policy") continue;
    if (policy) {
      f.reader->Error(f.root, "a second policy file; give one policy (" + policy->file + " is the first)");
      continue;
    }
    policy = ParsePolicy(f);
    *measures = Child(f.root, "measures");
  }
  return policy;
}

// An amendment or reform file and the day from which it applies.
struct PendingAmendment {
  ParsedFile* file;
  Date from;
};

// Amendments apply in date order; a reform (a draft change for cost simulation) is an amendment
// without a date: it applies whenever the policy does, on top of every amendment.
std::vector<PendingAmendment> AmendmentsInOrder(std::vector<ParsedFile>& parsed, const Policy& policy) {
  std::vector<PendingAmendment> pending;
  for (auto& f : parsed) {
    if (f.kind != "amendment") continue;
    auto from = f.reader->DateField(f.root, "effective_from", true);
    if (from) pending.push_back({&f, *from});
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](const PendingAmendment& a, const PendingAmendment& b) { return a.from < b.from; });
  for (auto& f : parsed) {
    if (f.kind == "reform") pending.push_back({&f, policy.effective_from.value_or(Date{INT32_MIN})});
  }
  return pending;
}

// One change of an amendment ({add}, {cancel} or {change}), applied to `current`, the measures
// in force as the earlier changes left them.
void ApplyChange(const YamlReader& r, const YAML::Node& c, const Policy& policy, Amendment* a,
                 std::map<std::string, YAML::Node>* current) {
  if (!c.IsMap()) {
    r.Error(c, "a change is {add: <measure>}, {cancel: <id>} or {change: <id>, <fields>}");
    return;
  }
  if (Child(c, "add").IsDefined()) {
    r.CheckKeys(c, {"add"}, "change");
    auto m = ParseMeasure(r, Child(c, "add"), policy.data, a->id, policy.applicant_facts);
    if (!m) return;
    if (current->count(m->id)) {
      r.Error(Child(c, "add"), "measure '" + m->id + "' already exists; use change");
      return;
    }
    (*current)[m->id] = Child(c, "add");
    a->added.push_back(std::move(*m));
  } else if (Child(c, "cancel").IsDefined()) {
    r.CheckKeys(c, {"cancel"}, "change");
    std::string id = Child(c, "cancel").Scalar();
    if (!current->count(id)) {
      r.Error(Child(c, "cancel"), "cannot cancel '" + id + "': no such measure in force");
      return;
    }
    current->erase(id);
    a->cancelled.push_back(id);
  } else if (Child(c, "change").IsDefined()) {
    std::string id = Child(c, "change").Scalar();
    auto it = current->find(id);
    if (it == current->end()) {
      r.Error(Child(c, "change"), "cannot change '" + id + "': no such measure in force");
      return;
    }
    if (Child(c, "id").IsDefined()) r.Error(Child(c, "id"), "a change cannot rename a measure");
    YAML::Node merged = MergeMeasure(it->second, c);
    auto m = ParseMeasure(r, merged, policy.data, a->id, policy.applicant_facts);
    if (!m) return;
    it->second = merged;
    a->changed.push_back(std::move(*m));
  } else {
    r.Error(c, "a change is {add: <measure>}, {cancel: <id>} or {change: <id>, <fields>}");
  }
}

// An amendment (or reform) file read and its changes applied to `current`; null when it has no
// changes to apply.
std::shared_ptr<const Amendment> ParseAmendment(const PendingAmendment& pa, const Policy& policy,
                                                std::map<std::string, YAML::Node>* current) {
  const YamlReader& r = *pa.file->reader;
  const YAML::Node& n = pa.file->root;
  const bool reform = pa.file->kind == "reform";
  if (reform) {
    r.CheckKeys(n, {"kind", "id", "version", "policy", "title", "changes"}, "reform");
  } else {
    r.CheckKeys(n,
                {"kind", "id", "version", "policy", "effective_from", "title", "approved_by", "approved_on", "changes"},
                "amendment");
  }
  auto a = std::make_shared<Amendment>();
  a->file = pa.file->path;
  a->id = r.String(n, "id", true).value_or("");
  a->version = r.String(n, "version", true).value_or("");
  a->policy_id = r.String(n, "policy", true).value_or("");
  a->effective_from = pa.from;
  a->title = r.TextField(n, "title", true).value_or(Text{});
  if (!a->policy_id.empty() && a->policy_id != policy.id) {
    r.Error(Child(n, "policy"), "amendment is for policy '" + a->policy_id + "', not '" + policy.id + "'");
  }
  if (!reform) CheckApproval(r, n, policy, pa.from, a.get());
  YAML::Node changes = Child(n, "changes");
  if (!changes.IsSequence() || changes.size() == 0) {
    r.Error(n, "an amendment needs a non-empty list of changes (add, change, cancel)");
    return nullptr;
  }
  for (const auto& c : changes) ApplyChange(r, c, policy, a.get(), current);
  return a;
}

// Guides found beside the policy are checked with it (LoadGuideFile does the work); a file of
// any other kind is an error.
void LoadGuidesBeside(std::vector<ParsedFile>& parsed, PolicyBundle* bundle, DiagnosticSink* sink) {
  for (auto& f : parsed) {
    if (f.kind == "guide") {
      std::shared_ptr<const Guide> loaded;
      if (LoadGuideFile(f.path, *bundle, &loaded, sink)) bundle->guides.push_back(loaded);
    } else if (f.kind != "policy" && f.kind != "amendment" && f.kind != "reform" && f.kind != "tests" &&
               f.kind != "refused-reform" && !f.kind.empty()) {
      f.reader->Error(Child(f.root, "kind"), "unknown kind '" + f.kind + "' (policy, amendment, reform, guide, tests)");
    }
  }
}

// A draft reform is costed with `qgrant simulate --reform FILE`; it never decides applications.
// One found by reading a policy folder (a draft saved beside the policy) is an error, since
// everything that reads the folder (eval, serve, screen) would otherwise pay by it. A reform given
// as a file of its own is taken: the callers that decide refuse it (PolicyBundle::reforms).
void RefuseReformsInFolders(std::vector<ParsedFile>& parsed, const std::vector<std::string>& paths) {
  for (auto& f : parsed) {
    if (f.kind != "reform") continue;
    if (std::find(paths.begin(), paths.end(), f.path) != paths.end()) continue;
    f.reader->Error(Child(f.root, "kind"),
                    "a draft reform (kind: reform) in a policy folder would change real decisions: a reform is "
                    "for costing only; move it out and give it to qgrant simulate --reform");
    f.kind = "refused-reform";
  }
}

bool LoadBundleImpl(const std::vector<std::string>& paths, PolicyBundle* out, DiagnosticSink* sink) {
  std::vector<ParsedFile> parsed;
  for (const auto& path : ListBundleFiles(paths, sink)) {
    auto f = ReadYaml(path, sink);
    if (f) parsed.push_back(std::move(*f));
  }
  RefuseReformsInFolders(parsed, paths);
  YAML::Node policy_measures;
  std::shared_ptr<Policy> policy = ParseTheOnePolicy(parsed, &policy_measures);
  if (!policy) {
    if (!sink->has_errors()) sink->Error(paths.empty() ? "" : paths[0], 0, 0, "no policy file (kind: policy) found");
    return false;
  }
  // Each amendment reads the measures as the earlier ones left them.
  std::map<std::string, YAML::Node> current;
  if (policy_measures.IsSequence()) {
    for (const auto& mn : policy_measures) {
      if (mn.IsMap() && Child(mn, "id").IsScalar())
        current[Child(mn, "id").Scalar()] = static_cast<const YAML::Node&>(mn);
    }
  }
  PolicyBundle bundle;
  bundle.policy = policy;
  for (const auto& pa : AmendmentsInOrder(parsed, *policy)) {
    auto a = ParseAmendment(pa, *policy, &current);
    if (!a) continue;
    if (pa.file->kind == "reform") bundle.reforms.push_back(a->id);
    bundle.amendments.push_back(std::move(a));
  }
  std::vector<const Measure*> all;
  for (const auto& m : policy->measures) all.push_back(&m);
  CheckOverlaps(all, sink);
  LoadGuidesBeside(parsed, &bundle, sink);
  *out = std::move(bundle);
  return !sink->has_errors();
}

// The guide's window, budget and allocation strategy.
void ParseGuideRound(const YamlReader& r, const YAML::Node& n, Guide* g) {
  YAML::Node window = Child(n, "window");
  if (window.IsDefined()) {
    r.CheckKeys(window, {"opens", "closes"}, "window");
    g->window_opens = r.DateField(window, "opens", true);
    g->window_closes = r.DateField(window, "closes", true);
    if (g->window_opens && g->window_closes && *g->window_closes < *g->window_opens) {
      r.Error(window, "the application window closes before it opens");
    }
  }
  if (Child(n, "budget_fen").IsDefined()) {
    // A value that is not a whole number is reported by Int() alone, not again as negative.
    const std::optional<int64_t> budget = r.Int(n, "budget_fen", true);
    g->budget_fen = budget.value_or(-1);
    if (budget && *budget < 0) r.Error(Child(n, "budget_fen"), "budget_fen must not be negative");
    if (g->budget_fen > kMaxAmountFen) r.Error(Child(n, "budget_fen"), "budget_fen is above 10^15 fen");
  }
  if (Child(n, "allocation").IsDefined()) {
    r.CheckKeys(Child(n, "allocation"), {"strategy", "unit_fen", "tiers", "pools", "redistribute"}, "allocation");
    g->allocation_strategy = r.String(Child(n, "allocation"), "strategy", true).value_or("");
    static const char* const kStrategies[] = {"pro_rata", "tiers", "pools"};
    if (!g->allocation_strategy.empty() &&
        std::find(std::begin(kStrategies), std::end(kStrategies), g->allocation_strategy) == std::end(kStrategies)) {
      r.Error(Child(Child(n, "allocation"), "strategy"),
              "unknown allocation strategy '" + g->allocation_strategy + "' (known: pro_rata, tiers, pools)");
    }
    if (const auto redistribute = r.String(Child(n, "allocation"), "redistribute", false);
        redistribute && *redistribute != "none" && *redistribute != "proportional" && *redistribute != "in_order") {
      r.Error(Child(Child(n, "allocation"), "redistribute"),
              "unknown redistribute '" + *redistribute + "' (known: none, proportional, in_order)");
    }
  }
}

// The measure `id` as the last amendment left it; null when the policy has none.
const Measure* MeasureInForce(const PolicyBundle& bundle, const std::string& id) {
  const Measure* m = nullptr;
  for (const auto& pm : bundle.policy->measures) {
    if (pm.id == id) m = &pm;
  }
  for (const auto& a : bundle.amendments) {
    for (const auto& am : a->added) {
      if (am.id == id) m = &am;
    }
    for (const auto& am : a->changed) {
      if (am.id == id) m = &am;
    }
  }
  return m;
}

// What the guide adds to one measure: conditions, checked against the measure in force, and a
// limit on items per unit and year.
void ParseGuideMeasure(const YamlReader& r, const YAML::Node& key, const YAML::Node& body, const PolicyBundle& bundle,
                       const expr::Value& data, Guide* g) {
  const std::string id = key.Scalar();
  const Measure* m = MeasureInForce(bundle, id);
  if (m == nullptr) {
    r.Error(key, "the guide names measure '" + id + "', which the policy does not have");
    return;
  }
  r.CheckKeys(body, {"conditions", "items_per_unit_per_year"}, "guide measure '" + id + "'");
  g->conditions[id] =
      ParseConditions(r, Child(body, "conditions"), MeasureEnv(m->facts, data, bundle.policy->applicant_facts), g->id);
  if (auto limit = r.Int(body, "items_per_unit_per_year", false)) {
    if (m->once != OnceRule::kPerItem) {
      r.Error(Child(body, "items_per_unit_per_year"), "measure '" + id + "' has no items to limit");
    } else if (*limit < 1) {
      r.Error(Child(body, "items_per_unit_per_year"), "items_per_unit_per_year must be at least 1");
    } else {
      g->items_per_unit_per_year[id] = *limit;
    }
  }
}

// Whether an error was reported since `before`; earlier ones belong to other files.
bool ErrorsSince(const DiagnosticSink& sink, size_t before) {
  for (size_t i = before; i < sink.diagnostics().size(); ++i) {
    if (sink.diagnostics()[i].severity == PolicyDiagnostic::Severity::kError) return true;
  }
  return false;
}

bool LoadGuideFileImpl(const std::string& path, const PolicyBundle& bundle, std::shared_ptr<const Guide>* out,
                       DiagnosticSink* sink) {
  auto f = ReadYaml(path, sink);
  if (!f) return false;
  const YamlReader& r = *f->reader;
  const YAML::Node& n = f->root;
  if (f->kind != "guide") {
    r.Error(n, "expected kind: guide, found '" + f->kind + "'");
    return false;
  }
  size_t errors_before = sink->diagnostics().size();
  r.CheckKeys(n,
              {"kind", "id", "version", "policy", "year", "title", "window", "budget_fen", "allocation", "data",
               "measures", "achievements_from"},
              "guide");
  auto g = std::make_shared<Guide>();
  g->file = path;
  g->id = r.String(n, "id", true).value_or("");
  g->version = r.String(n, "version", true).value_or("");
  g->policy_id = r.String(n, "policy", true).value_or("");
  g->year = static_cast<int>(r.Int(n, "year", true).value_or(0));
  g->title = r.TextField(n, "title", true).value_or(Text{});
  if (!g->policy_id.empty() && g->policy_id != bundle.policy->id) {
    r.Error(Child(n, "policy"), "guide is for policy '" + g->policy_id + "', not '" + bundle.policy->id + "'");
  }
  ParseGuideRound(r, n, g.get());
  g->achievements_from = r.DateField(n, "achievements_from", false);
  g->data =
      Child(n, "data").IsDefined() ? DataValue(Child(n, "data")) : expr::Value::Map(expr::MapValue::Make({}, nullptr));
  const expr::Value data = MergeData(bundle.policy->data, g->data);
  YAML::Node measures = Child(n, "measures");
  if (measures.IsDefined() && !measures.IsMap()) {
    r.Error(measures, "'measures' maps measure ids to {conditions: [...]}");
  } else if (measures.IsDefined()) {
    for (auto it = measures.begin(); it != measures.end(); ++it)
      ParseGuideMeasure(r, it->first, it->second, bundle, data, g.get());
  }
  if (ErrorsSince(*sink, errors_before)) return false;
  *out = g;
  return true;
}

}  // namespace

RuleSet ResolveRules(const PolicyBundle& bundle, std::shared_ptr<const Guide> guide, Date as_of) {
  RuleSet rs;
  rs.policy = bundle.policy;
  rs.guide = guide;
  rs.as_of = as_of;
  const Policy& p = *bundle.policy;
  if (p.effective_from) {
    rs.valid_from = *p.effective_from;
    rs.valid_until = AddYears(*p.effective_from, p.validity_years);
    rs.in_force = rs.valid_from <= as_of && as_of < rs.valid_until;
  } else {
    rs.in_force = false;
  }
  rs.achievements_from = p.achievements_from ? *p.achievements_from : rs.valid_from;
  if (guide && guide->achievements_from && rs.achievements_from < *guide->achievements_from) {
    rs.achievements_from = *guide->achievements_from;
  }
  for (const auto& m : p.measures) rs.measures.push_back(&m);
  for (const auto& a : bundle.amendments) {
    if (as_of < a->effective_from) continue;
    rs.amendments_applied.push_back(a->id);
    rs.keep_alive.push_back(a);
    for (const auto& id : a->cancelled) {
      rs.measures.erase(
          std::remove_if(rs.measures.begin(), rs.measures.end(), [&](const Measure* m) { return m->id == id; }),
          rs.measures.end());
      rs.cancelled[id] = a->id;
    }
    for (const auto& m : a->changed) {
      for (auto& cur : rs.measures) {
        if (cur->id == m.id) cur = &m;
      }
    }
    for (const auto& m : a->added) {
      rs.measures.push_back(&m);
      rs.cancelled.erase(m.id);
    }
  }
  rs.data = guide ? MergeData(p.data, guide->data) : p.data;
  return rs;
}

}  // namespace qgrant::policy
