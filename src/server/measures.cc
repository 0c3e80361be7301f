// GET /api/v1/measures: what an applicant must know to apply — each measure in force with its
// clause, titles and text, the facts it asks for (types, closed lists of values, their names for
// people) and its ceiling.
#include <nlohmann/json.hpp>

#include "server/rules_cache.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

json TextJson(const policy::Text& t) { return {{"zh", t.zh}, {"en", t.en}}; }

const char* FactType(policy::FactSpec::Type t) {
  switch (t) {
    case policy::FactSpec::Type::kString:
      return "string";
    case policy::FactSpec::Type::kInt:
      return "integer";
    case policy::FactSpec::Type::kBool:
      return "boolean";
    case policy::FactSpec::Type::kDate:
      return "date";
    case policy::FactSpec::Type::kList:
      return "list";
    case policy::FactSpec::Type::kObject:
      return "object";
  }
  return "string";
}

json FactJson(const policy::FactSpec& f) {
  json out = {{"name", f.name}, {"type", FactType(f.type)}, {"required", f.required}};
  // A closed list: any other value makes the application invalid (§6).
  if (!f.enum_values.empty()) out["values"] = f.enum_values;
  // How people read the fact and its values, when the policy names them (a level fact's values
  // by the measure's level_names).
  if (f.label) out["label"] = TextJson(*f.label);
  if (!f.value_names.empty()) {
    json names = json::object();
    for (const auto& [value, name] : f.value_names) names[value] = TextJson(name);
    out["value_names"] = std::move(names);
  }
  if (f.type == policy::FactSpec::Type::kList) out["min_items"] = f.min_items;
  if (!f.fields.empty()) {
    json fields = json::array();
    for (const auto& sub : f.fields) fields.push_back(FactJson(sub));
    out[f.type == policy::FactSpec::Type::kList ? "item_fields" : "fields"] = std::move(fields);
  }
  return out;
}

json CeilingJson(const policy::Measure& m) {
  if (m.support != policy::Support::kPayment) return nullptr;  // referred or honorary: no amount
  const auto& c = m.ceiling;
  switch (c.kind) {
    case policy::Ceiling::Kind::kFixed:
      return {{"kind", "fixed"}, {"amount_fen", c.fixed_fen}};
    case policy::Ceiling::Kind::kPerItem:
      return {
          {"kind", "per_item"}, {"amount_fen", c.fixed_fen}, {"items_fact", m.items_fact}, {"item_key", m.item_key}};
    case policy::Ceiling::Kind::kByLevel: {
      json levels = json::array();
      for (const auto& [level, fen] : c.by_level) levels.push_back({{"level", level}, {"amount_fen", fen}});
      return {{"kind", "by_level"}, {"level_fact", m.level_fact}, {"levels", std::move(levels)}};
    }
  }
  return nullptr;
}

const char* SupportName(policy::Support s) {
  switch (s) {
    case policy::Support::kPayment:
      return "payment";
    case policy::Support::kReferral:
      return "referral";
    case policy::Support::kNonMonetary:
      return "non_monetary";
  }
  return "payment";
}

const char* OnceName(policy::OnceRule o) {
  switch (o) {
    case policy::OnceRule::kNone:
      return "none";
    case policy::OnceRule::kFirstTime:
      return "first_time";
    case policy::OnceRule::kOneTime:
      return "one_time";
    case policy::OnceRule::kPerItem:
      return "per_item";
  }
  return "none";
}

// The conditions an application of `m` must meet, in the words given when one is not met: the
// policy's, then the guide's for the year.
json ConditionsJson(const policy::Measure& m, const policy::Guide* guide) {
  json out = json::array();
  auto add = [&](const policy::Condition& c, const char* from) {
    out.push_back(
        {{"id", c.id}, {"code", c.reason.code}, {"zh", c.reason.text.zh}, {"en", c.reason.text.en}, {"from", from}});
  };
  for (const auto& c : m.conditions) add(c, "policy");
  if (guide != nullptr) {
    if (auto it = guide->conditions.find(m.id); it != guide->conditions.end()) {
      for (const auto& c : it->second) add(c, "guide");
    }
  }
  return out;
}

json MeasureJson(const policy::Measure& m, const policy::Guide* guide) {
  json facts = json::array();
  for (const auto& f : m.facts) facts.push_back(FactJson(f));
  json level_names = json::object();
  for (const auto& [level, name] : m.level_names) level_names[level] = TextJson(name);
  json out = {{"id", m.id},
              {"clause", m.clause},
              {"title", TextJson(m.title)},
              {"text", TextJson(m.text)},
              {"support", SupportName(m.support)},
              {"applicants", m.applicants},
              {"facts", std::move(facts)},
              {"once", OnceName(m.once)},
              {"level_names", std::move(level_names)},
              {"ceiling", CeilingJson(m)}};
  if (m.support == policy::Support::kReferral) out["referral"] = TextJson(m.referral);
  // For the measure's 办事指南 (WEB.md): what is checked, whether experts judge it, and the
  // guide's yearly limit of items.
  out["conditions"] = ConditionsJson(m, guide);
  if (m.review) out["review"] = TextJson(*m.review);
  if (guide != nullptr) {
    if (auto it = guide->items_per_unit_per_year.find(m.id); it != guide->items_per_unit_per_year.end()) {
      out["items_per_unit_per_year"] = it->second;
    }
  }
  return out;
}

// The guide's application window ({opens_on, closes_on}), or null without one.
json WindowJson(const policy::Guide* guide) {
  if (guide == nullptr || !guide->window_opens || !guide->window_closes) return nullptr;
  return {{"opens_on", policy::FormatDate(*guide->window_opens)},
          {"closes_on", policy::FormatDate(*guide->window_closes)}};
}

}  // namespace

std::string MeasuresJson(const policy::RuleSet& rules) {
  json items = json::array();
  for (const policy::Measure* m : rules.measures) items.push_back(MeasureJson(*m, rules.guide.get()));
  json policy = {
      {"id", rules.policy->id}, {"version", rules.policy->version}, {"title", TextJson(rules.policy->title)}};
  // What keeps a unit out of every measure (CONTRACT §6: exclusions come first), in the words of
  // its refusal; and the earliest achievement funded.
  json exclusions = json::array();
  for (const auto& c : rules.policy->exclusions) {
    exclusions.push_back({{"id", c.id}, {"code", c.reason.code}, {"zh", c.reason.text.zh}, {"en", c.reason.text.en}});
  }
  policy["exclusions"] = std::move(exclusions);
  policy["achievements_from"] = policy::FormatDate(rules.achievements_from);
  json out = {{"items", std::move(items)},
              {"next_cursor", nullptr},
              {"policy", std::move(policy)},
              {"guide", rules.guide ? json(std::to_string(rules.guide->year)) : json(nullptr)},
              {"window", WindowJson(rules.guide.get())},
              {"as_of", policy::FormatDate(rules.as_of)},
              {"in_force", rules.in_force}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace qgrant::server
