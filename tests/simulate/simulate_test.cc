// qgrant simulate's library: figures over a small registry whose answers follow from the policy
// text by hand, the effect of reforms (a doubled ceiling, a cancelled measure, a stricter
// condition), breakdowns, CSV registries, bad lines, sums past the money bound, and the reports.
//
// tests/simulate/data/registry.jsonl, as of 2026-06-30, with data/ledger.jsonl, no guide:
//   line 1  U1  福田 enterprise       2 certificates (CGP-2025-0001, ROB-2025-0002)  2 × 5万 = 10万
//   line 2  U2  南山 enterprise       China Quality Award winner 300万; 2 quality innovation
//   projects 2 × 30万 line 3  U3  南山 social org.      metrology (lead, national regulation) 80万;
//   demonstration base 20万 line 4  (blank) line 5  U4  宝安 enterprise, founded 2024-01-15 (2 full
//   years): quality innovation 30万;
//               its one certificate CFP-2024-0003 is already in the ledger: nothing
//   line 6  U5  宝安 not registered in Shenzhen: excluded
//   line 7  U6  龙岗 serious dishonesty: excluded
//   line 8  a truncated line: bad, one invalid application in each scenario
//   line 9  U7  no district: 圳品 (referred); certificates CGP-2025-0001 (paid to U1 earlier in the
//               round: nothing) and AUT-2025-0007: 5万
//   line 10 U8  光明 park organiser: national demonstration zone 100万 (the ledger's provincial one
//               is another level)
//   line 11 U9  福田, no achievements
//   line 12 U10 罗湖 public institution: UKAS accreditation 30万; maturity "basic": nothing
//   line 13 U11 福田, a wrong USCC check character: invalid
// Baseline: 635万 for 7 units.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "engine/application.h"
#include "engine/evaluator.h"
#include "engine/ledger.h"
#include "policy/loader.h"
#include "simulate/registry.h"
#include "simulate/report.h"
#include "simulate/simulation.h"

#ifndef QGRANT_SOURCE_DIR
#error "QGRANT_SOURCE_DIR must name the repository root"
#endif

namespace qgrant::simulate {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = QGRANT_SOURCE_DIR;
const fs::path kData = kRoot / "tests/simulate/data";
constexpr int64_t kWan = 1000000;  // fen in 1 万元

struct Rules {
  policy::PolicyBundle bundle;
  std::unique_ptr<policy::RuleSet> rules;
};

std::unique_ptr<Rules> Load(std::vector<std::string> paths) {
  auto r = std::make_unique<Rules>();
  policy::DiagnosticSink sink;
  if (!policy::LoadBundle(paths, &r->bundle, &sink)) {
    ADD_FAILURE() << sink.Format();
    return nullptr;
  }
  policy::Date as_of;
  EXPECT_TRUE(policy::ParseDate("2026-06-30", &as_of));
  r->rules = std::make_unique<policy::RuleSet>(policy::ResolveRules(r->bundle, nullptr, as_of));
  return r;
}

std::string Policy() { return (kRoot / "policies/sz-quality-brand").string(); }

// Simulates the registry text under the policy and a reform (paths relative to the repository).
Result<SimulationResult> TrySimulateText(const std::string& registry, const std::string& reform, size_t threads = 2,
                                         std::vector<std::string> sample = {}) {
  auto baseline = Load({Policy()});
  auto reformed = Load({Policy(), (kRoot / reform).string()});
  engine::Ledger ledger;
  EXPECT_TRUE(ledger.LoadFile((kData / "ledger.jsonl").string()).ok());
  std::istringstream in(registry);
  std::string line;
  SimulationOptions options;
  options.threads = threads;
  options.expected_units = static_cast<size_t>(std::count(registry.begin(), registry.end(), '\n'));
  options.sample = std::move(sample);
  auto result = Simulate(
      [&](std::string_view* out) {
        if (!std::getline(in, line)) return false;
        *out = line;
        return true;
      },
      *baseline->rules, *reformed->rules, ledger, options);
  return result;
}

SimulationResult SimulateText(const std::string& registry, const std::string& reform, size_t threads = 2,
                              std::vector<std::string> sample = {}) {
  Result<SimulationResult> result = TrySimulateText(registry, reform, threads, std::move(sample));
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? *result : SimulationResult{};
}

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string Registry() { return ReadFile(kData / "registry.jsonl"); }

size_t Row(const SimulationResult& r, const std::string& id) {
  for (size_t i = 0; i < r.measures.size(); ++i) {
    if (r.measures[i].id == id) return i;
  }
  ADD_FAILURE() << "no row for " << id;
  return 0;
}

Cell At(const SimulationResult& r, Scenario s, const std::string& measure) {
  return r.scenarios[s].all.measures[Row(r, measure)];
}

// A group's total; a group with nothing eligible has no figures of its own.
Cell GroupTotal(const SimulationResult& r, Scenario s, Dimension dim, const std::string& name) {
  auto it = r.scenarios[s].groups[dim].find(name);
  return it == r.scenarios[s].groups[dim].end() ? Cell{} : it->second.total;
}

void ExpectCell(const Cell& c, int64_t units, int64_t fen, const std::string& what) {
  EXPECT_EQ(c.units, units) << what;
  EXPECT_EQ(c.fen, fen) << what;
}

constexpr const char* kDoubleCertification = "examples/reform-double-certification.yaml";

TEST(SimulateTest, BaselineMatchesThePolicyTextByHand) {
  SimulationResult r = SimulateText(Registry(), kDoubleCertification);
  ExpectCell(At(r, kBaseline, "high_end_certification"), 2, 15 * kWan, "U1 two certificates, U7 one");
  ExpectCell(At(r, kBaseline, "quality_innovation"), 2, 90 * kWan, "U2 two projects, U4 one");
  ExpectCell(At(r, kBaseline, "china_quality_award"), 1, 300 * kWan, "U2 winner");
  ExpectCell(At(r, kBaseline, "metrology"), 1, 80 * kWan, "U3");
  ExpectCell(At(r, kBaseline, "qi_demonstration"), 1, 20 * kWan, "U3");
  ExpectCell(At(r, kBaseline, "regional_brand_demo_zone"), 1, 100 * kWan, "U8 national");
  ExpectCell(At(r, kBaseline, "international_accreditation"), 1, 30 * kWan, "U10");
  ExpectCell(At(r, kBaseline, "performance_excellence"), 0, 0, "U10 basic maturity");
  ExpectCell(r.scenarios[kBaseline].all.total, 7, 635 * kWan, "total");
  EXPECT_EQ(r.scenarios[kBaseline].referred_units[Row(r, "shenzhen_standard_certification")], 1);

  const ScenarioResult& b = r.scenarios[kBaseline];
  EXPECT_EQ(b.applications, 17);
  EXPECT_EQ(b.eligible, 10);
  EXPECT_EQ(b.referred, 1);
  EXPECT_EQ(b.invalid, 2);  // the truncated line and U11's code
  EXPECT_EQ(b.ineligible(), 4);
  EXPECT_EQ(r.lines, 12);
  EXPECT_EQ(r.units, 11);
}

TEST(SimulateTest, DoublingTheCertificateCeilingDoublesThatMeasureExactly) {
  SimulationResult r = SimulateText(Registry(), kDoubleCertification);
  const Cell base = At(r, kBaseline, "high_end_certification");
  const Cell reform = At(r, kReform, "high_end_certification");
  EXPECT_EQ(reform.fen, 2 * base.fen);
  EXPECT_EQ(reform.units, base.units);
  for (const auto& m : r.measures) {
    if (m.id == "high_end_certification") continue;
    const Cell b = At(r, kBaseline, m.id), f = At(r, kReform, m.id);
    EXPECT_EQ(b.units, f.units) << m.id;
    EXPECT_EQ(b.fen, f.fen) << m.id;
  }
  ExpectCell(r.scenarios[kReform].all.total, 7, 650 * kWan, "reform total");
  EXPECT_NE(r.scenarios[kReform].label.find("reform-2027-draft-certification"), std::string::npos);
}

// U2's two quality innovation projects at 10^15 fen each add up past the bound: an error naming
// the overflow, never a wrapped (negative) cost.
TEST(SimulateTest, ASumPastTheMoneyBoundIsAnErrorNotAWrap) {
  Result<SimulationResult> r = TrySimulateText(Registry(), "tests/simulate/data/reform-ceiling-at-the-bound.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("overflows"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("10^15"), std::string::npos) << r.status().message();
}

TEST(SimulateTest, CancellingAMeasureZeroesIt) {
  SimulationResult r = SimulateText(Registry(), "tests/simulate/data/reform-cancel-qi-demonstration.yaml");
  ExpectCell(At(r, kBaseline, "qi_demonstration"), 1, 20 * kWan, "baseline");
  ExpectCell(At(r, kReform, "qi_demonstration"), 0, 0, "cancelled");
  EXPECT_FALSE(r.measures[Row(r, "qi_demonstration")].support[kReform].has_value());
  // U3 still has its metrology project, so the number of units does not change.
  ExpectCell(r.scenarios[kReform].all.total, 7, 615 * kWan, "reform total");
  // A cancelled measure makes its applications ineligible, not invalid.
  EXPECT_EQ(r.scenarios[kReform].invalid, r.scenarios[kBaseline].invalid);
}

TEST(SimulateTest, AStricterConditionDropsTheUnitsItExcludes) {
  SimulationResult r = SimulateText(Registry(), "tests/simulate/data/reform-innovation-three-years.yaml");
  // U4, founded 2024-01-15, has operated 2 full years on 2026-06-30: it drops out; U2 stays.
  ExpectCell(At(r, kBaseline, "quality_innovation"), 2, 90 * kWan, "baseline");
  ExpectCell(At(r, kReform, "quality_innovation"), 1, 60 * kWan, "three years");
  // U4 had nothing else (its certificate was funded before): one unit fewer in total.
  ExpectCell(r.scenarios[kReform].all.total, 6, 605 * kWan, "reform total");
  ExpectCell(GroupTotal(r, kBaseline, kDistrict, "宝安区"), 1, 30 * kWan, "宝安区 in the baseline");
  ExpectCell(GroupTotal(r, kReform, kDistrict, "宝安区"), 0, 0, "宝安区 under the reform");
}

TEST(SimulateTest, BreakdownsAddUpToTheTotals) {
  SimulationResult r = SimulateText(Registry(), "tests/simulate/data/reform-innovation-three-years.yaml");
  for (Scenario s : {kBaseline, kReform}) {
    const ScenarioResult& sc = r.scenarios[s];
    for (Dimension dim : {kDistrict, kKind}) {
      Cell total;
      std::vector<Cell> measures(r.measures.size());
      for (const auto& [name, f] : sc.groups[dim]) {
        total.units += f.total.units;
        total.fen += f.total.fen;
        for (size_t m = 0; m < measures.size(); ++m) {
          measures[m].units += f.measures[m].units;
          measures[m].fen += f.measures[m].fen;
        }
      }
      ExpectCell(total, sc.all.total.units, sc.all.total.fen, "groups of dimension " + std::to_string(dim));
      for (size_t m = 0; m < measures.size(); ++m) {
        ExpectCell(measures[m], sc.all.measures[m].units, sc.all.measures[m].fen, r.measures[m].id);
      }
      int64_t registry_units = 0;
      for (const auto& [name, n] : r.registry_units[dim]) registry_units += n;
      EXPECT_EQ(registry_units, r.units);
    }
  }
  ExpectCell(GroupTotal(r, kBaseline, kDistrict, "南山区"), 2, 460 * kWan, "U2 and U3");
  ExpectCell(GroupTotal(r, kBaseline, kDistrict, ""), 1, 5 * kWan, "U7 states no district");
  EXPECT_EQ(r.registry_units[kDistrict].at("福田区"), 3);
  ExpectCell(GroupTotal(r, kBaseline, kKind, "park_organizer"), 1, 100 * kWan, "U8");
}

TEST(SimulateTest, ACsvRegistryGivesTheSameFigures) {
  SimulationResult json = SimulateText(Registry(), kDoubleCertification);
  SimulationResult csv = SimulateText(ReadFile(kData / "registry.csv"), kDoubleCertification);
  EXPECT_TRUE(csv.csv);
  EXPECT_EQ(csv.units, json.units);
  EXPECT_EQ(csv.bad_lines, 1);
  EXPECT_EQ(RenderCsv(csv, {kDistrict, kKind}), RenderCsv(json, {kDistrict, kKind}));
}

TEST(SimulateTest, TheResultDoesNotDependOnTheNumberOfThreads) {
  // Enough units for several slices and batches: the registry 1,000 times over. Repeated units
  // earn nothing the second time (same subject), so the figures equal those of one copy.
  std::string big;
  for (int i = 0; i < 1000; ++i) big += Registry();
  SimulationResult one = SimulateText(big, kDoubleCertification, 1);
  SimulationResult four = SimulateText(big, kDoubleCertification, 4);
  EXPECT_EQ(RenderCsv(one, {kDistrict, kKind}), RenderCsv(four, {kDistrict, kKind}));
  ExpectCell(one.scenarios[kBaseline].all.total, 7, 635 * kWan, "repeated registry");
  EXPECT_EQ(one.units, 11);
  EXPECT_EQ(one.bad_lines, 1000);
}

// The scenarios' ledgers sized by a sample of the registry's lines (RoundOptions::sample, read by
// a reader of its own beside the workers') rather than the first batch: the same figures.
TEST(SimulateTest, ASampleOfTheRegistryChangesNoFigure) {
  std::string big;
  for (int i = 0; i < 300; ++i) big += Registry();
  std::vector<std::string> sample;
  std::istringstream lines(big);
  for (std::string line; std::getline(lines, line);) {
    if (sample.size() < 64 && !line.empty()) sample.push_back(line);
  }
  for (const size_t threads : {1, 2}) {
    const SimulationResult plain = SimulateText(big, kDoubleCertification, threads);
    const SimulationResult sampled = SimulateText(big, kDoubleCertification, threads, sample);
    EXPECT_EQ(RenderCsv(sampled, {kDistrict, kKind}), RenderCsv(plain, {kDistrict, kKind}));
    ExpectCell(sampled.scenarios[kBaseline].all.total, 7, 635 * kWan, "sampled registry");
  }
}

// Both scenarios are rounds of one round driver (engine/round.h). Over a registry of many
// batches, each scenario counts what the one-shot path decides: every achievement read alone and
// decided by Evaluator::Decide in registry order, against the scenario's own ledger.
TEST(SimulateTest, EachScenarioCountsTheOneShotDecisions) {
  std::string big;
  for (int i = 0; i < 300; ++i) big += Registry();
  const SimulationResult result = SimulateText(big, kDoubleCertification, 2);
  auto baseline = Load({Policy()});
  auto reformed = Load({Policy(), (kRoot / kDoubleCertification).string()});
  const policy::RuleSet* rules[2] = {baseline->rules.get(), reformed->rules.get()};
  for (int s : {kBaseline, kReform}) {
    const engine::Evaluator evaluator(*rules[s]);
    engine::ApplicationReader reader(*rules[s]);
    RegistryReader registry(nullptr);
    engine::Ledger ledger;
    ASSERT_TRUE(ledger.LoadFile((kData / "ledger.jsonl").string()).ok());
    int64_t applications = 0, count[5] = {0, 0, 0, 0, 0}, fen = 0;
    std::istringstream in(big);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      RegistryRecord rec;
      registry.Read(line, &rec);
      if (!rec.error.empty()) ++applications, ++count[static_cast<int>(engine::Outcome::kInvalid)];
      for (const std::string& json : rec.applications) {
        engine::Application app;
        reader.Read(json, &app);
        const engine::Decision d = evaluator.Decide(app, &ledger, false);
        ++applications;
        ++count[static_cast<int>(d.outcome)];
        if (d.outcome == engine::Outcome::kEligible) fen += d.amount_fen;
      }
    }
    const ScenarioResult& got = result.scenarios[s];
    EXPECT_EQ(got.applications, applications) << s;
    EXPECT_EQ(got.eligible, count[static_cast<int>(engine::Outcome::kEligible)]) << s;
    EXPECT_EQ(got.referred, count[static_cast<int>(engine::Outcome::kReferred)]) << s;
    EXPECT_EQ(got.invalid, count[static_cast<int>(engine::Outcome::kInvalid)]) << s;
    EXPECT_EQ(got.all.total.fen, fen) << s;
  }
  EXPECT_NE(result.scenarios[kBaseline].all.total.fen, result.scenarios[kReform].all.total.fen);
}

TEST(SimulateTest, BadLinesAreCountedWithTheirLineNumbers) {
  SimulationResult r = SimulateText(Registry(), kDoubleCertification);
  EXPECT_EQ(r.bad_lines, 1);
  ASSERT_EQ(r.bad_line_examples.size(), 1u);
  EXPECT_EQ(r.bad_line_examples[0].line, 8);  // the blank line 4 counts
  EXPECT_EQ(r.bad_line_examples[0].message, "not valid JSON");
  for (Scenario s : {kBaseline, kReform}) {
    ASSERT_EQ(r.scenarios[s].invalid_examples.size(), 1u);
    EXPECT_EQ(r.scenarios[s].invalid_examples[0].line, 13);
    EXPECT_NE(r.scenarios[s].invalid_examples[0].message.find("applicant.uscc"), std::string::npos);
  }
}

TEST(SimulateTest, AnUnknownCsvColumnStopsTheRun) {
  auto baseline = Load({Policy()});
  engine::Ledger ledger;
  bool served = false;
  auto result = Simulate(
      [&](std::string_view* out) {
        if (served) return false;
        served = true;
        *out =
            "uscc,name,kind,district,registered_in_shenzhen,serious_dishonesty,measure,subject,"
            "obtaned_on,facts_json";
        return true;
      },
      *baseline->rules, *baseline->rules, ledger, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "line 1: unknown CSV column 'obtaned_on' (column 9)");
}

TEST(RegistryTest, AnAchievementBecomesTheApplicationEvalWouldRead) {
  RegistryReader reader(nullptr);
  RegistryRecord rec;
  reader.Read(R"({"uscc":"91440304QGT000001X","name":"深圳市绿源科技有限公司","kind":"enterprise","district":"福田区",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false,"established_on":"2015-03-01","extra":1,)"
              R"("achievements":[{"measure":"quality_innovation","subject":"QI-1","obtained_on":"2025-04-01",)"
              R"("facts":{"category":"technology"},"requested_fen":100}]})",
              &rec);
  EXPECT_EQ(rec.error, "");
  EXPECT_EQ(rec.uscc, "91440304QGT000001X");
  EXPECT_EQ(rec.district, "福田区");
  ASSERT_EQ(rec.applications.size(), 1u);
  EXPECT_EQ(rec.applications[0],
            R"({"id":"91440304QGT000001X/quality_innovation/QI-1","applicant":{"uscc":"91440304QGT000001X",)"
            R"("name":"深圳市绿源科技有限公司","kind":"enterprise","registered_in_shenzhen":true,)"
            R"("serious_dishonesty":false,"established_on":"2015-03-01","district":"福田区"},)"
            R"("measure":"quality_innovation","subject":"QI-1","obtained_on":"2025-04-01",)"
            R"("facts":{"category":"technology"},"requested_fen":100})");
}

// The set of distinct units answers the same whether it grows as keys come or is made room for
// at once (Reserve, from an estimate that may be short or long), with keys whose probes wrap
// round the end of the table among them.
TEST(UnitSetTest, FindsEveryKeyOnceHoweverItWasSized) {
  std::vector<uint64_t> keys;
  for (uint64_t i = 1; i <= 50000; ++i) keys.push_back(UnitSet::With(UnitSet::Hash("unit"), i));
  for (uint64_t i = 0; i < 64; ++i) keys.push_back(~uint64_t{0} - i);  // the last slots: probes wrap
  for (size_t reserve : {size_t{0}, size_t{1000}, keys.size() * 9 / 10, keys.size(), keys.size() * 4}) {
    UnitSet set;
    set.Reserve(reserve);
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSERT_TRUE(set.InsertHash(keys[i])) << "reserve " << reserve << ", key " << i;
      if (i == keys.size() / 2) set.Reserve(reserve / 2);  // smaller than it holds: nothing lost
    }
    for (size_t i = 0; i < keys.size(); ++i)
      ASSERT_FALSE(set.InsertHash(keys[i])) << "reserve " << reserve << ", key " << i << " again";
    EXPECT_TRUE(set.Insert("91440300MA5F000000"));
    EXPECT_FALSE(set.Insert("91440300MA5F000000"));
  }
}

// The in-order step counts groups by the numbers each reader gives names (ByName), never by the
// names: a reader's numbers are its own, and one name has one number per reader.
TEST(RegistryTest, ReadersNumberNamesAndByNameFindsTheirGroups) {
  RegistryReader first(nullptr), second(nullptr);
  auto unit = [](RegistryReader& reader, const std::string& district) {
    RegistryRecord rec;
    reader.Read(R"({"uscc":"91440300MA5F000000","kind":"enterprise","district":")" + district + "\"}", &rec);
    return rec;
  };
  const RegistryRecord a = unit(first, "福田区"), b = unit(first, "南山区"), c = unit(first, "福田区");
  const RegistryRecord d = unit(second, "南山区");
  EXPECT_EQ(a.names, &first);
  EXPECT_EQ(d.names, &second);
  EXPECT_EQ(a.district_id, c.district_id);
  EXPECT_NE(a.district_id, b.district_id);
  EXPECT_NE(a.kind_id, a.district_id);      // "enterprise" has a number of its own
  EXPECT_NE(b.district_id, d.district_id);  // 南山区: the first reader's third name, the second's first
  EXPECT_EQ(a.uscc_hash, UnitSet::Hash("91440300MA5F000000"));

  std::map<std::string, int> groups;
  ByName<int> by_name;
  int made = 0;
  auto count = [&](const RegistryRecord& r) {
    ++by_name.Get(r.names, r.district_id, r.district, [&](const std::string& n) -> int& {
      ++made;
      return groups[n];
    });
  };
  for (const RegistryRecord* r : {&a, &b, &c, &d, &d}) count(*r);
  EXPECT_EQ(groups, (std::map<std::string, int>{{"南山区", 3}, {"福田区", 2}}));
  EXPECT_EQ(made, 3);  // 福田区 and 南山区 for the first reader, 南山区 for the second
  RegistryRecord unnumbered = a;
  unnumbered.names = nullptr;  // not numbered: found by its name each time
  count(unnumbered);
  EXPECT_EQ(groups.at("福田区"), 3);
}

TEST(RegistryTest, WrongValuesAreLeftForTheEngineButBrokenStructureIsABadLine) {
  RegistryReader reader(nullptr);
  RegistryRecord rec;
  // A string where a boolean belongs is passed on as written: the engine names the field.
  reader.Read(R"({"uscc":"X","registered_in_shenzhen":"yes","achievements":[{"measure":"qi_demonstration"}]})", &rec);
  EXPECT_EQ(rec.error, "");
  ASSERT_EQ(rec.applications.size(), 1u);
  EXPECT_NE(rec.applications[0].find(R"("registered_in_shenzhen":"yes")"), std::string::npos);
  reader.Read(R"({"uscc":"X","achievements":{"measure":"qi_demonstration"}})", &rec);
  EXPECT_EQ(rec.error, "achievements is not a list");
  reader.Read(R"({"uscc":"X","achievements":[{"measure":"qi_demonstration"},3]})", &rec);
  EXPECT_EQ(rec.error, "achievements[1] is not an object");
  EXPECT_TRUE(rec.applications.empty());
  reader.Read("[1, 2]", &rec);
  EXPECT_EQ(rec.error, "not a JSON object");
  reader.Read(R"({"uscc":"X","achievements":null})", &rec);
  EXPECT_EQ(rec.error, "");
  EXPECT_TRUE(rec.applications.empty());
  // A member given twice, in the unit or in an achievement, is a bad line naming it (CONTRACT §6:
  // no reader may silently keep the first or the last).
  reader.Read(R"({"uscc":"X","achievements":[{"measure":"qi_demonstration"}],"achievements":[]})", &rec);
  EXPECT_EQ(rec.error, "the member 'achievements' is given twice");
  EXPECT_TRUE(rec.applications.empty());
  reader.Read(R"({"uscc":"X","kind":"enterprise","kind":"social_organization","achievements":[]})", &rec);
  EXPECT_EQ(rec.error, "the member 'kind' is given twice");
  reader.Read(R"({"uscc":"X","achievements":[{"measure":"qi_demonstration"},)"
              R"({"measure":"metrology","subject":"a","subject":"b"}]})",
              &rec);
  EXPECT_EQ(rec.error, "achievements[1] gives the member 'subject' twice");
  EXPECT_TRUE(rec.applications.empty());
  // A misspelt member is a bad line naming it, never read as absent (§6: a misspelt requested_fn
  // must not pass silently as "no request"; a misspelt achievements is not "no achievements").
  reader.Read(R"({"uscc":"X","achievments":[{"measure":"qi_demonstration"}]})", &rec);
  EXPECT_NE(rec.error.find("unknown member 'achievments'"), std::string::npos) << rec.error;
  EXPECT_TRUE(rec.applications.empty());
  reader.Read(R"({"uscc":"X","achievements":[{"measure":"qi_demonstration","requested_fn":5}]})", &rec);
  EXPECT_NE(rec.error.find("achievements[0] has the unknown member 'requested_fn'"), std::string::npos) << rec.error;
  EXPECT_TRUE(rec.applications.empty());
  reader.Read(R"({"uscc":"X","name":"甲","registered_in_shenzhen":true,"serious_dishonesty":false,)"
              R"("established_on":"2015-01-01","district":"南山区","kind":"enterprise","achievements":[]})",
              &rec);
  EXPECT_EQ(rec.error, "");
  // A member read for the applicant, given twice in a unit with achievements.
  reader.Read(R"({"uscc":"X","name":"a","name":"b","achievements":[{"measure":"qi_demonstration"}]})", &rec);
  EXPECT_EQ(rec.error, "the member 'name' is given twice");
  EXPECT_TRUE(rec.applications.empty());
}

TEST(RegistryTest, CsvCellsBecomeJsonOfTheRightType) {
  auto layout = ParseCsvHeader(
      "uscc,name,kind,district,registered_in_shenzhen,serious_dishonesty,measure,subject,obtained_"
      "on,facts_json,"
      "requested_fen");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  RegistryReader reader(&*layout);
  RegistryRecord rec;
  reader.Read(R"(91440304QGT000001X,"深圳市""绿源"",有限公司",enterprise,,TRUE,false,quality_innovation,QI-1,)"
              R"(2025-04-01,"{""category"":""technology""}",007)",
              &rec);
  EXPECT_EQ(rec.error, "");
  ASSERT_EQ(rec.applications.size(), 1u);
  const std::string& app = rec.applications[0];
  EXPECT_NE(app.find(R"("name":"深圳市\"绿源\",有限公司")"), std::string::npos) << app;
  EXPECT_NE(app.find(R"("registered_in_shenzhen":true)"), std::string::npos) << app;
  EXPECT_EQ(app.find("district"), std::string::npos) << "an empty cell is an absent field: " << app;
  EXPECT_NE(app.find(R"("facts":{"category":"technology"})"), std::string::npos) << app;
  EXPECT_NE(app.find(R"("requested_fen":"007")"), std::string::npos) << "not a JSON integer: " << app;

  reader.Read(R"(91440304QGT000001X,n,enterprise,,true,false,quality_innovation,QI-1,2025-04-01,{category},)", &rec);
  EXPECT_EQ(rec.error, "facts_json is not valid JSON");
  reader.Read(R"(91440304QGT000001X,"n,enterprise)", &rec);
  EXPECT_EQ(rec.error, "a quoted CSV field is not closed properly");
}

TEST(RegistryTest, CsvHeaderNamesEveryRequiredColumn) {
  EXPECT_TRUE(IsCsvHeader("\xEF\xBB\xBFuscc,name"));
  EXPECT_FALSE(IsCsvHeader(R"({"uscc": "X"})"));
  auto missing = ParseCsvHeader("uscc,name,kind");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "the CSV header lacks the column(s) district, registered_in_shenzhen, "
            "serious_dishonesty, measure, "
            "subject, obtained_on, facts_json");
}

TEST(ReportTest, DisplayWidthCountsChineseAsTwoColumns) {
  EXPECT_EQ(DisplayWidth("高端品质认证"), 12);
  EXPECT_EQ(DisplayWidth("high_end"), 8);
  EXPECT_EQ(DisplayWidth("一（三）"), 8);
}

TEST(ReportTest, CsvHasExactFenAndTheTotalRow) {
  SimulationResult r = SimulateText(Registry(), kDoubleCertification);
  const std::string csv = RenderCsv(r, {kDistrict});
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "\xEF\xBB\xBF"  // byte-order mark, for spreadsheet programs
            "dimension,group,row,measure,clause,title_zh,registry_units,baseline_units,baseline_"
            "fen,baseline_wan,"
            "reform_units,reform_fen,reform_wan,change_units,change_fen,change_wan");
  EXPECT_NE(csv.find("\nall,,measure,high_end_certification,一（三）,高端品质认证,,2,15000000,15."
                     "000000,2,30000000,"
                     "30.000000,0,15000000,15.000000\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nall,,total,,,合计,11,7,635000000,635.000000,7,650000000,650.000000,0,"
                     "15000000,15.000000\n"),
            std::string::npos);
  EXPECT_NE(csv.find("\ndistrict,,total,,,合计,1,1,5000000,5.000000,1,10000000,10.000000,0,5000000,"
                     "5.000000\n"),
            std::string::npos)
      << "the units that state no district";
  // Referral and non-monetary measures pay nothing and have no rows.
  EXPECT_EQ(csv.find("shenzhen_standard_certification"), std::string::npos);
  EXPECT_EQ(csv.find("trustworthy_consumption_environment"), std::string::npos);
}

TEST(ReportTest, TableAlignsChineseTitles) {
  SimulationResult r = SimulateText(Registry(), kDoubleCertification);
  const std::string table = RenderTable(r, {"registry.jsonl", {kDistrict}});
  // Between the rules of the measure table, every row with figures ends in the rule's last
  // column, whatever the width of its Chinese title.
  std::istringstream lines(table);
  std::string line;
  int rule = -1, rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("---", 0) == 0) {
      if (rule >= 0) break;
      rule = DisplayWidth(line);
      continue;
    }
    if (rule < 0 || line.empty() || !std::isdigit(static_cast<unsigned char>(line.back()))) continue;
    EXPECT_EQ(DisplayWidth(line), rule) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 12);  // the paid measures
  EXPECT_NE(table.find("高端品质认证"), std::string::npos);
  EXPECT_NE(table.find("high_end_certification"), std::string::npos);
  EXPECT_NE(table.find("11 units, 12 lines, 1 bad"), std::string::npos);
  EXPECT_NE(table.find("（未注明）unspecified"), std::string::npos);
}

// A district name with an escape sequence and a line break reaches the terminal table shown, not
// obeyed; and a formula in it reaches the CSV neutralised.
TEST(ReportTest, RegistryTextCannotDriveTheTerminalOrTheSpreadsheet) {
  std::string registry = Registry();
  const std::string district = "\"district\":\"南山区\"";
  ASSERT_NE(registry.find(district), std::string::npos);
  registry.replace(registry.find(district), district.size(), "\"district\":\"\\u001b[2J南山\\n=1+2\"");
  SimulationResult r = SimulateText(registry, kDoubleCertification);
  const std::string table = RenderTable(r, {"registry.jsonl", {kDistrict}});
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_NE(table.find("\\x1b[2J南山\\x0a=1+2"), std::string::npos) << table;
  const std::string csv = RenderCsv(r, {kDistrict});
  EXPECT_EQ(csv.find(",=1+2"), std::string::npos);
  EXPECT_NE(csv.find("\"\x1b[2J南山\n=1+2\""), std::string::npos);  // quoted whole
}

TEST(ReportTest, ChartDrawsBaselineAndReformBarsToScale) {
  SimulationResult r = SimulateText(Registry(), kDoubleCertification);
  const std::string svg = RenderChart(r);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  size_t bars = 0;
  for (size_t at = svg.find("class=\"baseline\""); at != std::string::npos;
       at = svg.find("class=\"baseline\"", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 12u);  // one per paid measure
  // The bar widths of 高端品质认证: 15 and 30 万元 on an axis of 0–300 万元 (step 100) over 560 px.
  const size_t label = svg.find(">高端品质认证</text>");
  ASSERT_NE(label, std::string::npos);
  auto width_after = [&](const char* cls) {
    size_t at = svg.find(cls, label);
    size_t w = svg.rfind("width=\"", at) + 7;
    return std::stoi(svg.substr(w, svg.find('"', w) - w));
  };
  EXPECT_EQ(width_after("class=\"baseline\""), 28);  // 560 × 15/300
  EXPECT_EQ(width_after("class=\"reform\""), 56);
  size_t opened = 0, closed = 0;
  for (size_t at = svg.find("<text"); at != std::string::npos; at = svg.find("<text", at + 1)) ++opened;
  for (size_t at = svg.find("</text>"); at != std::string::npos; at = svg.find("</text>", at + 1)) ++closed;
  EXPECT_EQ(opened, closed);
}

}  // namespace
}  // namespace qgrant::simulate
