// Declarative policy tests: every tests/policy/cases/*.yaml file (format: doc/policy_tests.md)
// becomes one GoogleTest test per case. A case loads the rules (policy folder, extra amendment
// files, optional guide) as `qgrant eval` does, fills a ledger, reads its applications as JSON
// Lines with engine::ApplicationReader, decides them in order with engine::Evaluator (one round)
// and compares each decision, as the JSON a user sees, with the expectations.
//
// QGRANT_SOURCE_DIR (a compile definition) is the repository root: case files and the paths in
// them are relative to it. QGRANT_POLICY_CASES, when set in the environment, names one case file
// or folder to run instead of tests/policy/cases.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/application.h"
#include "engine/decision.h"
#include "engine/evaluator.h"
#include "engine/explain.h"
#include "engine/ledger.h"
#include "engine/round.h"
#include "policy/loader.h"

#ifndef QGRANT_SOURCE_DIR
#error "QGRANT_SOURCE_DIR must name the repository root"
#endif

namespace qgrant {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const fs::path kRoot = QGRANT_SOURCE_DIR;

// ------------------------------------------------------------------ YAML -> JSON

// YAML 1.2 core schema for plain scalars (quoted scalars are always strings), plus `_` digit
// separators in integers (300_000_000), as the policy files allow for amounts.
Json ToJson(const YAML::Node& n) {
  if (!n.IsDefined()) return nullptr;
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& e : n) a.push_back(ToJson(e));
      return a;
    }
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (auto it = n.begin(); it != n.end(); ++it) o[it->first.Scalar()] = ToJson(it->second);
      return o;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: a string whatever it looks like
  static const std::regex kNull("~|null|Null|NULL");
  static const std::regex kBool("true|True|TRUE|false|False|FALSE");
  static const std::regex kInt("[-+]?[0-9][0-9_]*");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s.empty() || std::regex_match(s, kNull)) return nullptr;
  if (std::regex_match(s, kBool)) return s[0] == 't' || s[0] == 'T';
  if (std::regex_match(s, kInt)) {
    std::string digits;
    for (char c : s) {
      if (c != '_') digits += c;
    }
    try {
      size_t used = 0;
      long long v = std::stoll(digits, &used);
      if (used == digits.size()) return static_cast<int64_t>(v);
    } catch (...) {
    }
    return s;  // out of range: keep the text
  }
  if (std::regex_match(s, kFloat)) return std::stod(s);
  return s;
}

// `over` merged onto `base`: objects merge key by key, anything else replaces.
void DeepMerge(Json* base, const Json& over) {
  if (!base->is_object() || !over.is_object()) {
    *base = over;
    return;
  }
  for (auto it = over.begin(); it != over.end(); ++it) {
    if (base->contains(it.key()) && (*base)[it.key()].is_object() && it.value().is_object()) {
      DeepMerge(&(*base)[it.key()], it.value());
    } else {
      (*base)[it.key()] = it.value();
    }
  }
}

// Removes a dotted path ("applicant.uscc") if present.
void Erase(Json* j, const std::string& dotted) {
  size_t dot = dotted.find('.');
  if (!j->is_object()) return;
  if (dot == std::string::npos) {
    j->erase(dotted);
    return;
  }
  std::string head = dotted.substr(0, dot);
  if (j->contains(head)) Erase(&(*j)[head], dotted.substr(dot + 1));
}

std::string Where(const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  return "line " + std::to_string(m.line + 1);
}

// Unknown keys are mistakes: a misspelt expectation would otherwise check nothing.
void CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& what,
               std::vector<std::string>* errors) {
  if (!map.IsMap()) {
    errors->push_back(what + " (" + Where(map) + ") must be a map");
    return;
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!allowed.count(it->first.Scalar())) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      errors->push_back("unknown key '" + it->first.Scalar() + "' in " + what + " (" + Where(it->first) +
                        "; allowed: " + list + ")");
    }
  }
}

// ------------------------------------------------------------------ rules, cached per key

struct LoadedRules {
  policy::PolicyBundle bundle;
  std::shared_ptr<const policy::Guide> guide;
  std::string error;  // diagnostics when loading failed
};

std::shared_ptr<const LoadedRules> LoadRules(const std::string& policy_path, const std::vector<std::string>& extra,
                                             const std::string& guide_path) {
  static std::map<std::string, std::shared_ptr<const LoadedRules>> cache;
  std::string key = policy_path + "\n" + guide_path;
  for (const auto& e : extra) key += "\n" + e;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto rules = std::make_shared<LoadedRules>();
  std::vector<std::string> paths = {(kRoot / policy_path).string()};
  for (const auto& e : extra) paths.push_back((kRoot / e).string());
  policy::DiagnosticSink sink;
  if (!policy::LoadBundle(paths, &rules->bundle, &sink)) {
    rules->error = "the policy does not load:\n" + sink.Format();
  } else if (!guide_path.empty() &&
             !policy::LoadGuideFile((kRoot / guide_path).string(), rules->bundle, &rules->guide, &sink)) {
    rules->error = "the guide does not load:\n" + sink.Format();
  }
  cache[key] = rules;
  return rules;
}

// ------------------------------------------------------------------ one case

struct CaseSpec {
  std::string file;  // relative to the repository root
  std::string name;
  int line = 0;
  YAML::Node file_root;
  YAML::Node node;
  std::vector<std::string> errors;  // problems in the case file itself
};

// Missing keys of a const node are invalid nodes, which throw on most accessors.
bool Has(const YAML::Node& n) { return n.IsDefined(); }
std::string Str(const YAML::Node& n) { return Has(n) && n.IsScalar() ? n.Scalar() : std::string(); }

std::vector<std::string> StrList(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!Has(n)) return out;
  if (n.IsScalar()) out.push_back(n.Scalar());
  if (n.IsSequence()) {
    for (const auto& e : n) out.push_back(Str(e));
  }
  return out;
}

const std::set<std::string> kFileKeys = {"kind", "policy", "guide", "extra", "defaults", "as_of", "cases"};
const std::set<std::string> kCaseKeys = {"name",         "as_of",  "guide",       "extra", "ledger",
                                         "applications", "expect", "known_issue", "note",  "ledger_error"};
const std::set<std::string> kExpectKeys = {"outcome",       "amount_fen",    "cap_fen", "reasons", "absent_reasons",
                                           "paths",         "items",         "id",      "clause",  "match",
                                           "text_contains", "text_excludes", "line"};
const std::set<std::string> kItemKeys = {"number", "outcome", "amount_fen", "cap_fen", "reasons"};

std::string Codes(const Json& reasons, const char* field) {
  std::string s;
  if (!reasons.is_array()) return s;
  for (const auto& r : reasons) {
    if (r.is_object() && r.contains(field)) s += (s.empty() ? "" : ", ") + r[field].get<std::string>();
  }
  return "[" + s + "]";
}

bool HasCode(const Json& reasons, const char* field, const std::string& value) {
  if (!reasons.is_array()) return false;
  for (const auto& r : reasons) {
    if (r.is_object() && r.contains(field) && r[field].is_string() && r[field].get<std::string>() == value) return true;
  }
  return false;
}

// `want` is contained in `got`: objects key by key (other keys may exist), lists element by
// element with the same length, anything else equal.
void Contains(const Json& want, const Json& got, const std::string& path, std::vector<std::string>* diffs) {
  if (want.is_object() && got.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      std::string at = path.empty() ? it.key() : path + "." + it.key();
      if (!got.contains(it.key())) {
        diffs->push_back("match: " + at + " expected " + it.value().dump() + ", absent from the decision");
      } else {
        Contains(it.value(), got[it.key()], at, diffs);
      }
    }
  } else if (want.is_array() && got.is_array() && want.size() == got.size()) {
    for (size_t i = 0; i < want.size(); ++i) Contains(want[i], got[i], path + "[" + std::to_string(i) + "]", diffs);
  } else if (want != got) {
    diffs->push_back("match: " + path + " expected " + want.dump() + ", got " + got.dump());
  }
}

// Compares one decision with one expectation; appends what differs.
void Compare(const YAML::Node& expect, const Json& d, std::vector<std::string>* diffs) {
  auto scalar_eq = [&](const char* key) {
    YAML::Node e = expect[key];
    if (!e.IsDefined()) return;
    Json want = ToJson(e);
    Json got = d.contains(key) ? d[key] : Json();
    if (want != got) diffs->push_back(std::string(key) + ": expected " + want.dump() + ", got " + got.dump());
  };
  scalar_eq("outcome");
  scalar_eq("amount_fen");
  scalar_eq("cap_fen");
  scalar_eq("id");
  scalar_eq("clause");
  const Json& reasons = d.contains("reasons") ? d["reasons"] : Json::array();
  for (const auto& code : StrList(expect["reasons"])) {
    if (!HasCode(reasons, "code", code)) {
      diffs->push_back("reason '" + code + "' expected, the reasons are " + Codes(reasons, "code"));
    }
  }
  for (const auto& code : StrList(expect["absent_reasons"])) {
    if (HasCode(reasons, "code", code)) diffs->push_back("reason '" + code + "' must not be given");
  }
  // Texts: every reason's zh and en, the items' included.
  std::string texts;
  auto add_texts = [&](const Json& rs) {
    for (const auto& r : rs) texts += r.value("zh", "") + "\n" + r.value("en", "") + "\n";
  };
  add_texts(reasons);
  if (d.contains("items")) {
    for (const auto& it : d["items"]) add_texts(it.value("reasons", Json::array()));
  }
  for (const auto& want : StrList(expect["text_contains"])) {
    if (texts.find(want) == std::string::npos) diffs->push_back("the reasons do not say '" + want + "'");
  }
  for (const auto& bad : StrList(expect["text_excludes"])) {
    if (texts.find(bad) != std::string::npos) diffs->push_back("the reasons must not say '" + bad + "'");
  }
  if (expect["line"].IsDefined()) {
    Json want = ToJson(expect["line"]), got = d.contains("line") ? d["line"] : Json();
    if (want != got) diffs->push_back("line: expected " + want.dump() + ", got " + got.dump());
  }
  for (const auto& path : StrList(expect["paths"])) {
    if (!HasCode(reasons, "path", path)) {
      diffs->push_back("an error at path '" + path + "' expected, the paths are " + Codes(reasons, "path"));
    }
  }
  if (expect["match"].IsDefined()) Contains(ToJson(expect["match"]), d, "", diffs);
  if (const YAML::Node items = expect["items"]; items.IsDefined()) {
    const Json& got = d.contains("items") ? d["items"] : Json::array();
    if (!items.IsSequence() || got.size() != items.size()) {
      diffs->push_back("items: expected " + std::to_string(items.size()) + ", got " + std::to_string(got.size()));
    } else {
      for (size_t k = 0; k < items.size(); ++k) {
        std::string at = "items[" + std::to_string(k) + "].";
        for (const char* key : {"number", "outcome", "amount_fen", "cap_fen"}) {
          if (!items[k][key].IsDefined()) continue;
          Json want = ToJson(items[k][key]);
          if (key == std::string("number")) want = items[k][key].Scalar();  // numbers are strings
          Json value = got[k].contains(key) ? got[k][key] : Json();
          if (want != value) diffs->push_back(at + key + ": expected " + want.dump() + ", got " + value.dump());
        }
        for (const auto& code : StrList(items[k]["reasons"])) {
          if (!HasCode(got[k]["reasons"], "code", code)) {
            diffs->push_back(at + "reasons: '" + code + "' expected, got " + Codes(got[k]["reasons"], "code"));
          }
        }
      }
    }
  }
}

// What every decision must satisfy whatever a case expects (CONTRACT §4): a known outcome;
// reasons that say why, in both languages; no money unless eligible; an eligible amount within
// its ceiling; per-certificate items that add up to the amount.
// One application decided alone, with its trace: the JSON line and the explanation in both
// languages, as the round driver writes them below.
std::string Words(const engine::Evaluator& evaluator, const engine::Application& app, const engine::Decision& d,
                  const policy::RuleSet& rules) {
  engine::JsonWriter out;
  engine::RoundDriver(evaluator).AppendJsonLine(d, true, &out);
  return std::string(out.data(), out.size()) + engine::ExplainText(d, app, rules, engine::Lang::kZh) +
         engine::ExplainText(d, app, rules, engine::Lang::kEn);
}

std::string OneShotWords(const engine::Evaluator& evaluator, const engine::Application& app,
                         const policy::RuleSet& rules, engine::Ledger* ledger) {
  return Words(evaluator, app, evaluator.Decide(app, ledger, true), rules);
}

std::string Batched(const engine::Evaluator& evaluator, const std::string& input, const policy::RuleSet& rules,
                    engine::Ledger* ledger) {
  engine::StringRoundSource source(input);
  engine::RoundOptions options;
  options.trace = [](const engine::Application&) { return true; };
  options.format = [&](int64_t, const engine::Application& app, const engine::Decision& d, engine::JsonWriter* out) {
    out->Raw(Words(evaluator, app, d, rules));
  };
  std::string got;
  options.write = [&](std::string_view bytes) { got.append(bytes); };
  engine::RoundSummary summary;
  engine::RoundDriver(evaluator).Run(&source, ledger, options, &summary);
  return got;
}

void CheckInvariants(const Json& d, std::vector<std::string>* diffs) {
  static const std::set<std::string> kOutcomes = {"eligible", "ineligible", "referred", "invalid"};
  std::string outcome = d.value("outcome", "");
  if (!kOutcomes.count(outcome)) diffs->push_back("contract: unknown outcome '" + outcome + "'");
  const Json& reasons = d.contains("reasons") ? d["reasons"] : Json::array();
  if (!reasons.is_array() || reasons.empty()) diffs->push_back("contract: a decision must give its reasons");
  for (const auto& r : reasons) {
    for (const char* k : {"code", "zh", "en"}) {
      if (!r.contains(k) || !r[k].is_string() || r[k].get<std::string>().empty()) {
        diffs->push_back(std::string("contract: a reason without ") + k + ": " + r.dump());
      }
    }
    if (outcome == "invalid" && !r.contains("path") && d.value("id", Json()).is_string()) {
      diffs->push_back("contract: an invalid decision's reason must name the field path: " + r.dump());
    }
  }
  int64_t amount = d.value("amount_fen", int64_t{-1}), cap = d.value("cap_fen", int64_t{-1});
  if (outcome != "eligible" && amount != 0) diffs->push_back("contract: amount_fen must be 0 unless eligible");
  if (outcome == "eligible" && (amount <= 0 || amount > cap)) {
    diffs->push_back("contract: an eligible amount must be above 0 and at most cap_fen");
  }
  // CONTRACT §6 "Words": no machine id in a sentence meant for people (the input's own values,
  // quoted in an invalid decision, excepted).
  if (outcome != "invalid") {
    static const char* const kMachineIds[] = {"enterprise",
                                              "public_institution",
                                              "social_organization",
                                              "park_organizer",
                                              "china_quality_award",
                                              "mayor_quality_award",
                                              "high_end_certification",
                                              "international_accreditation",
                                              "regional_brand_demo_zone",
                                              "sz-quality-brand",
                                              ".yaml",
                                              "第一（",
                                              "第二（",
                                              "第三（",
                                              "第四（"};
    for (const auto& r : reasons) {
      const std::string zh = r.value("zh", "");
      for (const char* id : kMachineIds) {
        if (zh.find(id) != std::string::npos) diffs->push_back(std::string("words: '") + id + "' in a reason: " + zh);
      }
      // A level's or grade's id ("higher", "winner") is a lower-case word. Data quoted as data are
      // not words of ours: values in 「」 and the id of another policy that paid (the ledger's
      // only name for it).
      static const std::regex kLowerWord("[a-z]{3,}"), kClauseEn("clause \\(\\d"),
          kQuoted("「.*?」|其他支持政策（.*?）");
      if (std::regex_search(std::regex_replace(zh, kQuoted, ""), kLowerWord))
        diffs->push_back("words: a machine id in a Chinese reason: " + zh);
      // Items are cited as 第（八）条, in English "item (8)".
      if (const std::string en = r.value("en", ""); std::regex_search(en, kClauseEn))
        diffs->push_back("words: an item cited as a clause in English: " + en);
    }
  }
  // An invalid decision names the field in words, not by its path (WEB.md §1): outside the values
  // it quotes as given (in 「」, where a field without words keeps its path) and the JSON values a
  // field takes (true 或 false), a Chinese text has no machine id.
  if (outcome == "invalid") {
    static const std::regex kLowerWord("[a-z]{3,}"), kQuoted("「.*?」|（true 或 false）");
    for (const auto& r : reasons) {
      if (r.value("code", "") == "policy_error") continue;  // names the rule, for its authors
      const std::string zh = r.value("zh", "");
      if (std::regex_search(std::regex_replace(zh, kQuoted, ""), kLowerWord))
        diffs->push_back("words: a machine id in an invalid decision's Chinese text: " + zh);
    }
  }
  if (d.contains("items") && !d["items"].empty()) {
    int64_t sum = 0;
    for (const auto& it : d["items"]) sum += it.value("amount_fen", int64_t{0});
    if (sum != amount)
      diffs->push_back("contract: the items' amounts add up to " + std::to_string(sum) + ", not amount_fen");
  }
}

class CaseTest : public testing::Test {
 public:
  explicit CaseTest(CaseSpec spec) : spec_(std::move(spec)) {}

  void TestBody() override {
    std::string title = spec_.file + ":" + std::to_string(spec_.line) + ": case \"" + spec_.name + "\"";
    if (!spec_.errors.empty()) {
      std::string all;
      for (const auto& e : spec_.errors) all += "\n  " + e;
      FAIL() << title << ": the case file is malformed:" << all;
    }
    const YAML::Node& f = spec_.file_root;
    const YAML::Node& c = spec_.node;
    std::string policy_path = Str(f["policy"]);
    std::vector<std::string> extra = StrList(c["extra"].IsDefined() ? c["extra"] : f["extra"]);
    // A case may name its own guide, or `guide: null` for none.
    std::string guide = c["guide"].IsDefined() ? Str(c["guide"]) : Str(f["guide"]);
    std::string as_of_text = c["as_of"].IsDefined() ? Str(c["as_of"]) : Str(f["as_of"]);
    policy::Date as_of;
    ASSERT_TRUE(policy::ParseDate(as_of_text, &as_of))
        << title << ": as_of must be YYYY-MM-DD, found '" << as_of_text << "'";

    auto loaded = LoadRules(policy_path, extra, guide);
    ASSERT_TRUE(loaded->error.empty()) << title << ": " << loaded->error;
    policy::RuleSet rules = policy::ResolveRules(loaded->bundle, loaded->guide, as_of);

    engine::Ledger ledger, batched_ledger, traced_ledger;
    ledger.CheckAgainst(&rules);
    if (const YAML::Node entries = c["ledger"]; entries.IsDefined()) {
      int64_t n = 0;
      const std::string want_error = Str(c["ledger_error"]);
      for (const auto& e : entries) {
        std::string text = e.IsScalar() ? e.Scalar() : ToJson(e).dump();
        Status st = ledger.LoadLine(text, ++n);
        if (st.ok()) {
          EXPECT_TRUE(batched_ledger.LoadLine(text, n).ok());
          EXPECT_TRUE(traced_ledger.LoadLine(text, n).ok());
        }
        if (!want_error.empty() && !st.ok()) {
          EXPECT_NE(st.message().find(want_error), std::string::npos) << title << ": " << st.message();
          return;
        }
        ASSERT_TRUE(st.ok()) << title << ": ledger entry " << n << " " << text << ": " << st.message();
      }
      ASSERT_TRUE(want_error.empty()) << title << ": the ledger was accepted, expected an error saying " << want_error;
    }

    Json defaults = ToJson(f["defaults"]);
    const YAML::Node apps = c["applications"];
    const YAML::Node expect = c["expect"];
    engine::Evaluator evaluator(rules);
    engine::ApplicationReader reader(rules);
    std::string report;
    std::string round_input, one_shot;  // the round as one input, and what Decide made of it
    for (size_t i = 0; i < apps.size(); ++i) {
      std::string line;
      if (apps[i].IsMap() && Has(apps[i]["line"])) {
        line = Str(apps[i]["line"]);
      } else {
        Json app = defaults.is_object() ? defaults : Json::object();
        Json own = ToJson(apps[i]);
        std::vector<std::string> omit;
        if (own.is_object() && own.contains("omit")) {
          for (const auto& p : own["omit"]) omit.push_back(p.get<std::string>());
          own.erase("omit");
        }
        DeepMerge(&app, own);
        for (const auto& p : omit) Erase(&app, p);
        line = app.dump();
      }
      engine::Application app;
      reader.Read(line, &app);
      app.line = static_cast<int64_t>(i) + 1;  // the round as one input, one line each
      round_input += line + "\n";
      one_shot += OneShotWords(evaluator, app, rules, &traced_ledger);
      engine::Decision decision = evaluator.Decide(app, &ledger, false);
      std::string out;
      engine::AppendDecisionJson(decision, evaluator.provenance(), &out);
      Json d = Json::parse(out);
      std::vector<std::string> diffs;
      Compare(expect[i], d, &diffs);
      CheckInvariants(d, &diffs);
      if (!diffs.empty()) {
        report +=
            "\n  applications[" + std::to_string(i) + "] (id " + (d["id"].is_null() ? "null" : d["id"].dump()) + "):";
        for (const auto& x : diffs) report += "\n    " + x;
        report += "\n    input:    " + line;
        report += "\n    decision: " + out;
      }
    }
    // The batched path (engine/round.h) must decide every case byte for byte as Decide does,
    // traces and explanations included.
    EXPECT_EQ(Batched(evaluator, round_input, rules, &batched_ledger), one_shot)
        << title << ": the round driver differs";
    if (const YAML::Node known = c["known_issue"]; known.IsDefined()) {
      if (report.empty()) {
        GTEST_SKIP() << title << ": known issue: " << Str(known)
                     << "\n  (the case passes now: remove known_issue from it)";
      }
      GTEST_SKIP() << title << ": known issue: " << Str(known) << report;
    }
    EXPECT_TRUE(report.empty()) << title << ":" << report;
  }

 private:
  CaseSpec spec_;
};

// ------------------------------------------------------------------ discovery

std::string Sanitize(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch)) {
      out += static_cast<char>(ch);
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.size() > 90) out.resize(90);
  return out.empty() ? "case" : out;
}

void ValidateCase(const YAML::Node& c, std::vector<std::string>* errors) {
  CheckKeys(c, kCaseKeys, "case", errors);
  if (!c.IsMap()) return;
  if (Has(c["ledger"]) && !c["ledger"].IsSequence()) errors->push_back("'ledger' must be a list of entries");
  if (!Has(c["name"])) errors->push_back("every case needs a name");
  const YAML::Node apps = c["applications"], expect = c["expect"];
  if (!Has(apps) || !apps.IsSequence() || apps.size() == 0)
    errors->push_back("'applications' must be a non-empty list");
  if (!Has(expect) || !expect.IsSequence()) errors->push_back("'expect' must be a list, one entry per application");
  if (!Has(apps) || !Has(expect)) return;
  if (apps.IsSequence() && expect.IsSequence() && apps.size() != expect.size()) {
    errors->push_back(std::to_string(apps.size()) + " application(s) but " + std::to_string(expect.size()) +
                      " expectation(s)");
  }
  if (apps.IsSequence()) {
    for (const auto& a : apps) {
      if (!a.IsMap())
        errors->push_back("an application (" + Where(a) + ") must be a map or {line: '...'}");
      else if (Has(a["line"]) && a.size() != 1)
        errors->push_back("{line: ...} (" + Where(a) + ") takes no other key");
    }
  }
  if (expect.IsSequence()) {
    for (const auto& e : expect) {
      CheckKeys(e, kExpectKeys, "expect", errors);
      if (e.IsMap() && Has(e["items"])) {
        if (!e["items"].IsSequence()) {
          errors->push_back("'items' (" + Where(e["items"]) + ") must be a list");
          continue;
        }
        for (const auto& it : e["items"]) CheckKeys(it, kItemKeys, "expect items", errors);
      }
    }
  }
}

void RegisterFile(const fs::path& path) {
  std::string rel = fs::relative(path, kRoot).string();
  std::string suite = Sanitize(path.stem().string());
  auto add = [&](CaseSpec spec, const std::string& test_name) {
    std::string file = spec.file;
    int line = spec.line;
    testing::RegisterTest(suite.c_str(), test_name.c_str(), nullptr, nullptr, file.c_str(), line,
                          [spec = std::move(spec)]() -> testing::Test* { return new CaseTest(spec); });
  };
  YAML::Node loaded;
  CaseSpec base;
  base.file = rel;
  base.name = "(file)";
  try {
    loaded = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    base.errors.push_back(std::string("YAML: ") + e.what());
    add(base, "file_loads");
    return;
  }
  const YAML::Node root = loaded;
  CheckKeys(root, kFileKeys, "the file", &base.errors);
  if (root.IsMap()) {
    if (Str(root["kind"]) != "tests") base.errors.push_back("kind must be 'tests'");
    if (!Has(root["policy"]) || !root["policy"].IsScalar())
      base.errors.push_back("'policy' (the policy folder) is required");
    if (!Has(root["cases"]) || !root["cases"].IsSequence() || root["cases"].size() == 0) {
      base.errors.push_back("'cases' must be a non-empty list");
    }
    if (Has(root["defaults"]) && !root["defaults"].IsMap()) base.errors.push_back("'defaults' must be a map");
  }
  if (!base.errors.empty()) {
    add(base, "file_loads");
    return;
  }
  std::set<std::string> names;
  int index = 0;
  for (const auto& c : root["cases"]) {
    CaseSpec spec;
    spec.file = rel;
    spec.line = c.Mark().line + 1;
    spec.file_root = root;
    spec.node = static_cast<const YAML::Node&>(c);
    spec.name = c.IsMap() ? Str(c["name"]) : "";
    ValidateCase(c, &spec.errors);
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%02d_", ++index);
    std::string test_name = prefix + Sanitize(spec.name);
    if (!names.insert(spec.name).second) spec.errors.push_back("two cases are named \"" + spec.name + "\"");
    add(std::move(spec), test_name);
  }
}

struct Registrar {
  Registrar() {
    fs::path where = kRoot / "tests/policy/cases";
    if (const char* env = std::getenv("QGRANT_POLICY_CASES"); env && *env) where = fs::absolute(env);
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(where, ec)) {
      for (const auto& e : fs::directory_iterator(where, ec)) {
        std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
      }
    } else if (fs::exists(where, ec)) {
      files.push_back(where);
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) RegisterFile(f);
  }
};

const Registrar registrar;

// A guard against a discovery that silently finds nothing.
TEST(PolicyCases, CaseFilesFound) {
  fs::path where = kRoot / "tests/policy/cases";
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(where, ec)) n += e.path().extension() == ".yaml";
  EXPECT_GT(n, 0u) << "no case files in " << where;
}

}  // namespace
}  // namespace qgrant
