#include "engine/evaluator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/round.h"
#include "engine/uscc.h"
#include "policy/words.h"
#include "rules_fixture.h"

namespace qgrant::engine {
namespace {

class EvaluatorTest : public ShippedPolicyTest {
 protected:
  // An application of the example unit; `rest` adds the measure, subject, facts, ...
  static std::string App(const std::string& id, const std::string& rest, bool registered = true, bool dishonest = false,
                         const std::string& uscc = "91440300MA5XXXXXXR") {
    return R"({"id":")" + id + R"(","applicant":{"uscc":")" + uscc +
           R"(","name":"深圳市示例科技有限公司","kind":"enterprise","registered_in_shenzhen":)" +
           (registered ? "true" : "false") + R"(,"serious_dishonesty":)" + (dishonest ? "true" : "false") +
           R"(},"obtained_on":"2025-09-12",)" + rest + "}";
  }

  // Decisions refer to reasons the Evaluator holds, so each test's evaluators live as long as it.
  Decision Decide(const policy::RuleSet& rules, Ledger* ledger, const std::string& line, bool partial = false) {
    ApplicationReader reader(rules, partial);
    Application a;
    reader.Read(line, &a);
    evaluators_.push_back(std::make_unique<Evaluator>(rules));
    return evaluators_.back()->Decide(a, ledger, /*explain=*/true);
  }
  std::vector<std::unique_ptr<Evaluator>> evaluators_;

  static bool HasReason(const Decision& d, const std::string& code) {
    for (const auto& r : d.reasons) {
      if (r.Code() == code) return true;
    }
    return false;
  }
};

TEST_F(EvaluatorTest, FirstTimeAwardPaysTheLowerOfRequestAndCeiling) {
  auto rules = Rules();
  Ledger ledger;
  Decision d = Decide(
      rules, &ledger,
      App("a",
          R"("measure":"china_quality_award","subject":"CQA-W","facts":{"level":"winner"},"requested_fen":250000000)"));
  EXPECT_EQ(d.outcome, Outcome::kEligible);
  EXPECT_EQ(d.cap_fen, 300000000);
  EXPECT_EQ(d.amount_fen, 250000000);
  EXPECT_EQ(d.clause, "三（八）");
  EXPECT_TRUE(HasReason(d, "first_time"));
  EXPECT_EQ(d.reasons[0].Text().zh, "首次获得中国质量奖");
  // The round remembers it: the same level again is not the first time.
  Decision again = Decide(rules, &ledger,
                          App("b", R"("measure":"china_quality_award","subject":"CQA-W2","facts":{"level":"winner"})"));
  EXPECT_EQ(again.outcome, Outcome::kIneligible);
  EXPECT_TRUE(HasReason(again, "not_first_time"));
  // A nomination is another level.
  Decision nominee = Decide(
      rules, &ledger, App("c", R"("measure":"china_quality_award","subject":"CQA-N","facts":{"level":"nominee"})"));
  EXPECT_EQ(nominee.outcome, Outcome::kEligible);
  EXPECT_EQ(nominee.amount_fen, 100000000);
}

TEST_F(EvaluatorTest, ExclusionsComeFirstEvenForReferrals) {
  auto rules = Rules();
  Ledger ledger;
  Decision d =
      Decide(rules, &ledger,
             App("a", R"("measure":"shenzhen_standard_certification","subject":"ZP","facts":{"scheme":"zhenpin"})",
                 true, true));
  EXPECT_EQ(d.outcome, Outcome::kIneligible);
  EXPECT_TRUE(HasReason(d, "serious_dishonesty"));
  Decision referred =
      Decide(rules, &ledger,
             App("b", R"("measure":"shenzhen_standard_certification","subject":"ZP","facts":{"scheme":"zhenpin"})"));
  EXPECT_EQ(referred.outcome, Outcome::kReferred);
  EXPECT_EQ(referred.amount_fen, 0);
}

TEST_F(EvaluatorTest, DoubleBenefitAcrossPolicies) {
  auto rules = Rules();
  Ledger ledger;
  ASSERT_TRUE(
      ledger
          .LoadLine(
              R"({"uscc":"91440300MA5XXXXXXR","policy":"sz-manufacturing","measure":"x","subject":"ACC-1","amount_fen":1})",
              1)
          .ok());
  Decision d = Decide(rules, &ledger,
                      App("a", R"("measure":"international_accreditation","subject":"ACC-1","facts":{"body":"UKAS"})"));
  EXPECT_EQ(d.outcome, Outcome::kIneligible);
  EXPECT_TRUE(HasReason(d, "double_benefit"));
}

TEST_F(EvaluatorTest, CertificatesArePaidOnceEach) {
  auto rules = Rules();
  Ledger ledger;
  ASSERT_TRUE(
      ledger
          .LoadLine(
              R"({"uscc":"914403001922038216","policy":"sz-quality-brand","measure":"high_end_certification","subject":"OLD","amount_fen":5000000})",
              1)
          .ok());
  Decision d =
      Decide(rules, &ledger,
             App("a", R"("measure":"high_end_certification","subject":"B1","facts":{"certificates":[)"
                      R"({"type":"robot","number":"OLD","issued_on":"2025-01-01"},)"
                      R"({"type":"robot","number":"NEW","issued_on":"2025-01-01"},)"
                      R"({"type":"robot","number":"NEW","issued_on":"2025-01-01"}]},"requested_fen":3000000)"));
  ASSERT_EQ(d.outcome, Outcome::kEligible);
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_EQ(d.items[0].outcome, Outcome::kIneligible);
  EXPECT_EQ(d.items[1].amount_fen, 3000000);  // the request is taken from the payable items in order
  EXPECT_EQ(d.items[2].outcome, Outcome::kIneligible);
  EXPECT_EQ(d.amount_fen, 3000000);
  // NEW is now funded: another unit cannot be paid for it.
  Decision other = Decide(rules, &ledger,
                          App("b",
                              R"("measure":"high_end_certification","subject":"B2","facts":{"certificates":[)"
                              R"({"type":"robot","number":"NEW","issued_on":"2025-01-01"}]})",
                              true, false, "914403001922038216"));
  EXPECT_EQ(other.outcome, Outcome::kIneligible);
  EXPECT_TRUE(HasReason(other, "no_payable_certificate"));
}

// The total for certificates each paid the full ceiling is worded once per count (up to 64) and
// shared; beyond, or when the request lowers the total, it is worded on the spot, in the same words.
TEST_F(EvaluatorTest, ACertificateTotalIsWordedTheSameWhetherItsReasonIsKeptOrNot) {
  auto rules = Rules();
  const policy::Measure* m = rules.FindMeasure("high_end_certification");
  ASSERT_NE(m, nullptr);
  const int64_t per_item = m->ceiling.fixed_fen;
  auto certificates = [](const std::string& prefix, int n) {
    std::string list;
    for (int k = 0; k < n; ++k)
      list += std::string(k ? "," : "") + R"({"type":"robot","number":")" + prefix + std::to_string(k) +
              R"(","issued_on":"2025-01-01"})";
    return R"("measure":"high_end_certification","subject":")" + prefix + R"(","facts":{"certificates":[)" + list +
           "]}";
  };
  for (const int n : {1, 3, 64, 65}) {
    SCOPED_TRACE(n);
    Ledger ledger;
    const Decision d = Decide(rules, &ledger, App("a", certificates("A", n)));
    const Decision again = Decide(rules, &ledger, App("b", certificates("B", n)));
    ASSERT_EQ(d.outcome, Outcome::kEligible);
    ASSERT_EQ(d.amount_fen, per_item * n);
    const DecisionReason& total = d.reasons.back();
    const FixedReason expected = Evaluator::ItemsCeilingText(n, per_item, per_item * n);
    EXPECT_EQ(total.Code(), "ceiling");
    EXPECT_EQ(total.Text().zh, expected.text.zh);
    EXPECT_EQ(total.Text().en, expected.text.en);
    EXPECT_NE(total.Text().zh.find("可资助认证" + std::to_string(n) + "项"), std::string::npos);
    std::string json;
    AppendDecisionJson(d, "", &json);
    EXPECT_NE(json.find(expected.json), std::string::npos) << json;
    // Each Decide has an Evaluator of its own: the kept reason is the same words, not the same object.
    EXPECT_EQ(total.fixed != nullptr, n <= 64);
    EXPECT_EQ(again.reasons.back().Text().zh, expected.text.zh);
  }
  // A request below the total is worded with the amount asked for.
  Ledger ledger;
  const Decision lowered = Decide(rules, &ledger, App("c", certificates("C", 3) + R"(,"requested_fen":7000000)"));
  ASSERT_EQ(lowered.outcome, Outcome::kEligible);
  EXPECT_EQ(lowered.amount_fen, 7000000);
  EXPECT_EQ(lowered.reasons.back().Code(), "requested_below_ceiling");
  EXPECT_EQ(lowered.reasons.back().fixed, nullptr);
}

// Repeats within an application are found by comparing with the earlier numbers when there are
// few certificates, and with a set beyond: both ways must find the same repeats, keys compared
// as keys ("gp-7 " is GP-7).
TEST_F(EvaluatorTest, ACertificateListedTwiceIsPaidOnceHoweverLongTheList) {
  auto rules = Rules();
  for (const size_t n : {size_t{5}, size_t{16}, size_t{17}, size_t{40}}) {
    std::string certs;
    for (size_t k = 0; k < n; ++k) {
      // The item before last repeats the second, spelt differently.
      const std::string number = k == n - 2 ? "gp-1 " : "GP-" + std::to_string(k);
      certs +=
          std::string(k == 0 ? "" : ",") + R"({"type":"robot","number":")" + number + R"(","issued_on":"2025-01-01"})";
    }
    Ledger ledger;
    Decision d = Decide(rules, &ledger,
                        App("a", R"("measure":"high_end_certification","subject":"L)" + std::to_string(n) +
                                     R"(","facts":{"certificates":[)" + certs + "]}"));
    SCOPED_TRACE(n);
    ASSERT_EQ(d.outcome, Outcome::kEligible);
    ASSERT_EQ(d.items.size(), n);
    for (size_t k = 0; k < n; ++k) {
      const bool repeat = k == n - 2;
      EXPECT_EQ(d.items[k].outcome, repeat ? Outcome::kIneligible : Outcome::kEligible) << k;
      EXPECT_EQ(!d.items[k].reasons.empty() && d.items[k].reasons[0].Code() == "duplicate_in_application", repeat) << k;
    }
  }
}

TEST_F(EvaluatorTest, OutsideValidityIsIneligible) {
  auto rules = Rules("2031-01-01");
  Ledger ledger;
  Decision d = Decide(rules, &ledger, App("a", R"("measure":"qi_demonstration","subject":"Q")"));
  EXPECT_EQ(d.outcome, Outcome::kIneligible);
  EXPECT_TRUE(HasReason(d, "policy_not_in_force"));
  auto in_force = Rules("2030-12-31");
  EXPECT_EQ(Decide(in_force, &ledger, App("a", R"("measure":"qi_demonstration","subject":"Q")")).outcome,
            Outcome::kEligible);
}

// The reason for an achievement before the first funded day (2025-01-01) is made once per date
// for the four years before it, and worded on the spot for earlier dates: the same words either way.
TEST_F(EvaluatorTest, AnAchievementBeforeThePolicyIsWordedTheSameWhetherItsReasonIsKeptOrNot) {
  auto rules = Rules();
  Evaluator evaluator(rules);
  ApplicationReader reader(rules);
  auto decide = [&](const std::string& id, const std::string& obtained_on) {
    Application a;
    std::string line = App(id, R"("measure":"qi_demonstration","subject":"Q-)" + id + R"(")");
    line.replace(line.find("2025-09-12"), 10, obtained_on);
    reader.Read(line, &a);
    Ledger ledger;
    return evaluator.Decide(a, &ledger, /*explain=*/false);
  };
  for (const std::string day : {"2024-12-31", "2021-01-01", "2020-12-29", "2020-12-28", "2013-09-01"}) {
    SCOPED_TRACE(day);
    policy::Date date;
    ASSERT_TRUE(policy::ParseDate(day, &date));
    const Decision d = decide("a", day), again = decide("b", day);
    ASSERT_EQ(d.outcome, Outcome::kIneligible);
    ASSERT_EQ(d.reasons.size(), 1u);
    const FixedReason expected = Evaluator::BeforePolicyText(date, rules.achievements_from);
    EXPECT_EQ(d.reasons[0].Code(), "achievement_before_policy");
    EXPECT_EQ(d.reasons[0].Text().zh, expected.text.zh);
    EXPECT_EQ(d.reasons[0].Text().en, expected.text.en);
    EXPECT_NE(expected.text.zh.find(policy::DateZh(date)), std::string::npos);
    std::string json, json_again;
    AppendDecisionJson(d, "", &json);
    AppendDecisionJson(again, "", &json_again);
    EXPECT_NE(json.find(expected.json), std::string::npos) << json;
    // Kept for the 1,464 days before 2025-01-01 (from 2020-12-29): the same reason each time.
    const bool kept = date.days >= rules.achievements_from.days - 4 * 366;
    EXPECT_EQ(d.reasons[0].fixed != nullptr, kept);
    if (kept) {
      EXPECT_EQ(d.reasons[0].fixed, again.reasons[0].fixed);
    }
  }
  EXPECT_EQ(evaluator.BeforePolicyReason(rules.achievements_from), nullptr);
}

// The file `file` (its path in the source tree) with the condition written `shipped` (a whole
// line from "when:") replaced by `when`.
std::string WithCondition(const std::string& file, const std::string& shipped, const std::string& when) {
  std::ifstream in(std::string(QGRANT_SOURCE_DIR) + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const size_t at = yaml.find(shipped);
  EXPECT_NE(at, std::string::npos) << file;
  if (at != std::string::npos) yaml.replace(at, shipped.size(), "when: \"" + when + "\"\n");
  return yaml;
}

// A condition that reads only registered_in_shenzhen and serious_dishonesty is worked out once for
// each state of the two (false, true, unknown when screening): the values must be the expression's.
class FlagsConditionTest : public EvaluatorTest {
 protected:
  // The shipped policy with its first exclusion's expression replaced by `when`, loaded.
  std::unique_ptr<policy::PolicyBundle> WithExclusion(const std::string& when) {
    return Replaced("when: applicant.registered_in_shenzhen\n", when);
  }
  // The shipped policy with the condition written `shipped` (a whole line from "when:") replaced
  // by `when`, loaded.
  std::unique_ptr<policy::PolicyBundle> Replaced(const std::string& shipped, const std::string& when) {
    const std::string yaml = WithCondition("policies/sz-quality-brand/policy.yaml", shipped, when);
    // A folder of this process's own: ctest runs each test as a process of its own, in parallel.
    const std::filesystem::path dir =
        std::filesystem::path(::testing::TempDir()) / ("flags_policy_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "policy.yaml") << yaml;
    auto bundle = std::make_unique<policy::PolicyBundle>();
    policy::DiagnosticSink sink;
    const bool loaded = policy::LoadBundle({dir.string()}, bundle.get(), &sink);
    std::filesystem::remove_all(dir);
    if (!loaded) ADD_FAILURE() << when << ": " << sink.Format();
    return loaded ? std::move(bundle) : nullptr;
  }
};

TEST_F(FlagsConditionTest, OnlyConditionsReadingNothingElseAreWorkedOutOnce) {
  const auto rules = Rules();
  ASSERT_EQ(rules.policy->exclusions.size(), 2u);
  EXPECT_TRUE(rules.policy->exclusions[0].reads_only_applicant_flags);
  EXPECT_TRUE(rules.policy->exclusions[1].reads_only_applicant_flags);
  for (const policy::Measure* m : rules.measures) {
    for (const auto& c : m->conditions) EXPECT_FALSE(c.reads_only_applicant_flags) << c.id;
  }
  for (const std::string when : {"applicant.registered_in_shenzhen && !applicant.serious_dishonesty",
                                 "applicant.serious_dishonesty == false || 1 / 0 == 1"}) {
    const auto bundle = WithExclusion(when);
    ASSERT_NE(bundle, nullptr);
    EXPECT_TRUE(bundle->policy->exclusions[0].reads_only_applicant_flags) << when;
  }
  for (const std::string when :
       {"has(applicant.registered_in_shenzhen)", "[1, 2].exists(x, x == 2 && applicant.registered_in_shenzhen)",
        "applicant.kind == 'enterprise' || applicant.registered_in_shenzhen", "true", "measure != ''",
        "applicant.registered_in_shenzhen && obtained_on < as_of"}) {
    const auto bundle = WithExclusion(when);
    ASSERT_NE(bundle, nullptr);
    EXPECT_FALSE(bundle->policy->exclusions[0].reads_only_applicant_flags) << when;
  }
}

TEST_F(FlagsConditionTest, TheValueForEachStateIsTheExpressionsValue) {
  for (const std::string when : {"applicant.registered_in_shenzhen && !applicant.serious_dishonesty",
                                 "applicant.serious_dishonesty == false || 1 / 0 == 1",
                                 "applicant.registered_in_shenzhen || applicant.serious_dishonesty"}) {
    SCOPED_TRACE(when);
    const auto bundle = WithExclusion(when);
    ASSERT_NE(bundle, nullptr);
    policy::Date day;
    ASSERT_TRUE(policy::ParseDate("2026-06-01", &day));
    const policy::RuleSet rules = policy::ResolveRules(*bundle, nullptr, day);
    const policy::Condition& c = rules.policy->exclusions[0];
    ASSERT_TRUE(c.reads_only_applicant_flags);
    Evaluator evaluator(rules);
    for (int registered = 0; registered < 3; ++registered) {
      for (int dishonesty = 0; dishonesty < 3; ++dishonesty) {
        Application app;
        app.registered_in_shenzhen = registered == 1;
        app.serious_dishonesty = dishonesty == 1;
        if (registered == 2) app.unknown.push_back("applicant.registered_in_shenzhen");
        if (dishonesty == 2) app.unknown.push_back("applicant.serious_dishonesty");
        auto flag = [](int state, const char* path) {
          return state == 2 ? expr::Value::Unknown({path}) : expr::Value::Bool(state == 1);
        };
        std::string err;
        expr::MapActivation activation;
        activation.Bind(
            "applicant",
            expr::Value::Map(expr::MapValue::Make(
                {{expr::Value::String("registered_in_shenzhen"), flag(registered, "applicant.registered_in_shenzhen")},
                 {expr::Value::String("serious_dishonesty"), flag(dishonesty, "applicant.serious_dishonesty")}},
                &err)));
        const expr::Value expected = c.program->Evaluate(activation);
        const expr::Value* kept = evaluator.FlagsValue(c, app);
        ASSERT_NE(kept, nullptr);
        EXPECT_EQ(kept->DebugString(), expected.DebugString()) << registered << " " << dishonesty;
      }
    }
    EXPECT_EQ(evaluator.FlagsValue(rules.policy->exclusions[1], Application()) != nullptr,
              rules.policy->exclusions[1].reads_only_applicant_flags);
  }
}

// Conditions that read one fact and the policy's data are kept by that fact's value
// (ConditionMemo); anything else they might read rules it out.
using MemoConditionTest = FlagsConditionTest;
const char kBodyCondition[] = "when: facts.body in data.recognised_accreditation_bodies\n";

const policy::Condition& BodyCondition(const policy::RuleSet& rules) {
  const policy::Measure* m = rules.FindMeasure("international_accreditation");
  EXPECT_NE(m, nullptr);
  EXPECT_EQ(m->conditions.size(), 1u);
  return m->conditions[0];
}

TEST_F(MemoConditionTest, OnlyConditionsReadingOneFactAndTheDataAreKeptByItsValue) {
  const auto rules = Rules();
  std::map<std::string, std::string> shipped;
  for (const policy::Measure* m : rules.measures) {
    for (const auto& c : m->conditions) shipped[m->id] = c.memo_fact;
  }
  EXPECT_EQ(shipped["international_accreditation"], "body");
  EXPECT_EQ(shipped["performance_excellence"], "maturity");
  EXPECT_EQ(shipped["brand_value_evaluation"], "standard");
  EXPECT_EQ(shipped["metrology"], "");  // two facts, one of them by has()
  for (const auto& c : rules.policy->exclusions) EXPECT_EQ(c.memo_fact, "") << c.id;
  for (const std::string when :
       {"facts.body in ['UKAS', 'A2LA']", "facts.body == 'UKAS' || facts.body in data.recognised_accreditation_bodies",
        "size(facts.body) > 3 && data.recognised_accreditation_bodies.exists_one(b, true)"}) {
    SCOPED_TRACE(when);
    const auto bundle = Replaced(kBodyCondition, when);
    ASSERT_NE(bundle, nullptr);
    const policy::RuleSet r = policy::ResolveRules(*bundle, nullptr, rules.as_of);
    // A comprehension, even over the data alone, rules it out (its variable could hide `facts`).
    EXPECT_EQ(BodyCondition(r).memo_fact, when.find("exists_one") == std::string::npos ? "body" : "");
  }
  for (const std::string when :
       {"has(facts.body)", "facts.body in data.recognised_accreditation_bodies && applicant.kind == 'enterprise'",
        "facts.body == subject", "[1].exists(x, facts.body == 'UKAS')", "true", "size(facts) > 0",
        "facts.body in data.recognised_accreditation_bodies && obtained_on < as_of"}) {
    SCOPED_TRACE(when);
    const auto bundle = Replaced(kBodyCondition, when);
    ASSERT_NE(bundle, nullptr);
    const policy::RuleSet r = policy::ResolveRules(*bundle, nullptr, rules.as_of);
    EXPECT_EQ(BodyCondition(r).memo_fact, "");
  }
}

// A round (which keeps the values) decides as the one-shot path (which keeps none): for values
// that match the data in several spellings and values that do not, more of them than are kept,
// and for an expression whose value is an error.
TEST_F(MemoConditionTest, AKeptValueIsTheExpressionsValue) {
  for (const std::string& when : {std::string("facts.body in data.recognised_accreditation_bodies"),
                                  std::string("facts.body == 'UKAS' || 1 / 0 == 1")}) {
    SCOPED_TRACE(when);
    const auto bundle = Replaced(kBodyCondition, when);
    ASSERT_NE(bundle, nullptr);
    const policy::RuleSet rules = policy::ResolveRules(*bundle, nullptr, Rules().as_of);
    ASSERT_EQ(BodyCondition(rules).memo_fact, "body");
    const Evaluator evaluator(rules);
    std::string input;
    const char* bodies[] = {"UKAS", " ukas", "A2LA", "NATA", "nvlap"};
    for (size_t i = 0; i < ConditionMemo::kMostKept + 600; ++i) {
      const std::string body = i % 3 == 0 ? "Body " + std::to_string(i) : bodies[i % 5];
      input += App("m" + std::to_string(i),
                   R"("measure":"international_accreditation","subject":"S)" + std::to_string(i) +
                       R"(","facts":{"body":")" + body + R"("})",
                   true, false, i % 2 ? "91440300MA5XXXXXXR" : "914403001922038216") +
               "\n";
    }
    const RoundDriver driver(evaluator);
    std::string want;
    Ledger one_shot;
    ApplicationReader reader(rules);
    int64_t eligible = 0, number = 0;
    StringRoundSource lines(input);
    for (std::string_view line; lines.Next(&line, &number);) {
      Application app;
      reader.Read(line, &app);
      app.line = number;
      const Decision d = evaluator.Decide(app, &one_shot, /*explain=*/true);
      eligible += d.outcome == Outcome::kEligible;
      JsonWriter out;
      driver.AppendJsonLine(d, true, &out);
      want.append(out.data(), out.size());
    }
    EXPECT_GT(eligible, 0);
    StringRoundSource source(input);
    RoundOptions options;
    options.workers = 2;
    options.trace = [](const Application&) { return true; };
    std::string got;
    options.write = [&](std::string_view bytes) { got.append(bytes); };
    Ledger ledger;
    RoundSummary summary;
    ASSERT_TRUE(driver.Run(&source, &ledger, options, &summary));
    EXPECT_EQ(got, want);
    EXPECT_EQ(summary.count[static_cast<int>(Outcome::kEligible)], eligible);
  }
}

// An applicant's fields are read without building the applicant map (applicant.x, has(applicant.x):
// ApplicationActivation::FindField). Selected from a computed value ([applicant][0].x) they come
// from the map: every decision must be the same either way, whichever fields the application
// gives, read in full or for screening.
TEST_F(FlagsConditionTest, ApplicantFieldsReadApartDecideAsTheMap) {
  const std::vector<std::string> applicants = {
      R"("uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false)",
      R"("uscc":"91440300MA5XXXXXXR","name":"示例","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false,"established_on":"2023-07-01","district":"南山区")",
      R"("uscc":"91440300MA5XXXXXXR","name":"示例","kind":"social_organization","registered_in_shenzhen":true,"serious_dishonesty":false,"established_on":"2025-07-01","years_operating":7)",
      R"("uscc":"91440300MA5XXXXXXR","name":"示例","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false,"years_operating":1,"district":"福田区")",
      R"("uscc":"91440300MA5XXXXXXR","registered_in_shenzhen":true)",
  };
  for (const std::string when :
       {"has(applicant.years_operating) && applicant.years_operating >= 2",
        "!has(applicant.district) || applicant.district != '福田区'",
        "has(applicant.established_on) && applicant.established_on < as_of",
        "applicant.uscc != '' && applicant.name != '' && applicant.kind != 'social_organization'",
        "!has(applicant.district) && has(applicant.registered_in_shenzhen) && applicant.registered_in_shenzhen",
        "applicant.years_operating > 3", "applicant.district == '南山区'"}) {
    SCOPED_TRACE(when);
    std::string from_map = when;
    for (size_t at = 0; (at = from_map.find("applicant.", at)) != std::string::npos; at += 13)
      from_map.replace(at, 10, "[applicant][0].");
    const auto apart = WithExclusion(when), whole = WithExclusion(from_map);
    ASSERT_NE(apart, nullptr);
    ASSERT_NE(whole, nullptr);
    const policy::RuleSet apart_rules = policy::ResolveRules(*apart, nullptr, Rules().as_of);
    const policy::RuleSet whole_rules = policy::ResolveRules(*whole, nullptr, Rules().as_of);
    const Evaluator apart_evaluator(apart_rules), whole_evaluator(whole_rules);
    std::map<Outcome, int> outcomes;
    for (const bool partial : {false, true}) {
      ApplicationReader apart_reader(apart_rules, partial), whole_reader(whole_rules, partial);
      for (const std::string& applicant : applicants) {
        const std::string line =
            R"({"id":"A","applicant":{)" + applicant +
            R"(},"measure":"mayor_quality_award","subject":"MQA-1","obtained_on":"2025-09-04","facts":{"grade":"gold"}})";
        Application a, w;
        apart_reader.Read(line, &a);
        whole_reader.Read(line, &w);
        Ledger apart_ledger, whole_ledger;
        const Decision got = apart_evaluator.Decide(a, &apart_ledger, false);
        const Decision want = whole_evaluator.Decide(w, &whole_ledger, false);
        std::string got_json, want_json;
        AppendDecisionJson(got, "", &got_json);
        AppendDecisionJson(want, "", &want_json);
        EXPECT_EQ(got_json, want_json) << applicant << (partial ? " (screening)" : "");
        ++outcomes[got.outcome];
      }
    }
    EXPECT_GE(outcomes.size(), 2u);  // the condition told the applications apart
  }
}

// A list of objects that the rules read only through comprehensions selecting fields of the
// item is built with those fields of each item (Condition::item_fields_read): the guide's
// certificate condition reads issued_on only.
class ItemFieldsTest : public EvaluatorTest {
 protected:
  static constexpr const char* kShipped =
      "when: facts.certificates.all(c, c.issued_on >= timestamp('2025-01-01T00:00:00+08:00'))\n";
  // A 2026 guide with its certificate condition replaced by `when`, as of 2026-12-31.
  policy::RuleSet Guided(const std::string& when) {
    const std::string yaml = WithCondition("tests/policy/fixtures/guide-certificates-condition.yaml", kShipped, when);
    const std::filesystem::path file =
        std::filesystem::path(::testing::TempDir()) / ("items_guide_" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(file) << yaml;
    std::shared_ptr<const policy::Guide> guide;
    policy::DiagnosticSink sink;
    const bool loaded = policy::LoadGuideFile(file.string(), *bundle_, &guide, &sink);
    std::filesystem::remove(file);
    EXPECT_TRUE(loaded) << when << ": " << sink.Format();
    policy::Date day;
    EXPECT_TRUE(policy::ParseDate("2026-12-31", &day));
    return policy::ResolveRules(*bundle_, guide, day);
  }
  static const policy::Condition& CertificateCondition(const policy::RuleSet& rules) {
    const policy::Measure* m = rules.FindMeasure("high_end_certification");
    EXPECT_NE(m, nullptr);
    const auto& conditions = rules.guide->conditions.at(m->id);
    EXPECT_EQ(conditions.size(), 1u);
    return conditions[0];
  }
  // The fields of the certificates the condition reads item by item; "whole" when it reads the
  // list in another way, "none" when it does not read it.
  std::string FieldsRead(const std::string& when) {
    const policy::RuleSet rules = Guided(when);
    const policy::Condition& c = CertificateCondition(rules);
    if (std::find(c.facts_read.begin(), c.facts_read.end(), "certificates") == c.facts_read.end()) return "none";
    for (const auto& [fact, fields] : c.item_fields_read) {
      if (fact != "certificates") continue;
      std::string out;
      for (const auto& f : fields) out += (out.empty() ? "" : ",") + f;
      return out;
    }
    return "whole";
  }
};

TEST_F(ItemFieldsTest, NotesTheFieldsOfTheItemsAComprehensionSelects) {
  EXPECT_EQ(FieldsRead("facts.certificates.all(c, c.issued_on >= timestamp('2025-01-01T00:00:00+08:00'))"),
            "issued_on");
  EXPECT_EQ(FieldsRead("facts.certificates.exists(c, c.type == 'robot') || facts.certificates.all(c, "
                       "has(c.issued_on))"),
            "type,issued_on");
  EXPECT_EQ(FieldsRead("facts.certificates.all(c, facts.certificates.exists_one(d, d.number == c.number))"), "number");
  EXPECT_EQ(FieldsRead("facts.certificates.map(c, c.number).size() > 0"), "number");
  EXPECT_EQ(FieldsRead("facts.certificates.all(c, true)"), "");
  for (const std::string when :
       {"size(facts.certificates) > 0 && facts.certificates.all(c, c.type == 'robot')",
        "facts.certificates.all(c, c == c)", "facts.certificates.all(c, size(c) == 3)",
        "facts.certificates.all(c, [1].all(c, c > 0))", "facts.certificates.all(i, c, c.type == 'robot')",
        "facts.certificates[0].type == 'robot'",
        "facts.certificates.exists(c, c.type == 'robot') && "
        "facts.certificates.filter(c, c.type == 'robot') == []"}) {
    EXPECT_EQ(FieldsRead(when), "whole") << when;
  }
  EXPECT_EQ(FieldsRead("[1].all(facts, facts > 0)"), "none");
  const policy::RuleSet rules = Guided("[1].all(facts, facts > 0)");
  EXPECT_TRUE(CertificateCondition(rules).reads_all_facts);
}

// Items built field by field, shared by their values or not, decide as items built whole: the
// same condition, made to read the list whole by a clause that is always true.
TEST_F(ItemFieldsTest, ItemsBuiltFieldByFieldDecideAsItemsBuiltWhole) {
  std::string input;
  const char* types[] = {"green_product", "robot", "carbon_footprint", "solar", "automotive_chip"};
  for (int i = 0; i < 6000; ++i) {
    std::string certificates;
    for (int k = 0; k <= i % 3; ++k) {
      // Over 4,096 days (more than the reader shares), some of them invalid or missing; every
      // other item within three days of a date the conditions compare with.
      policy::Date d;
      ASSERT_TRUE(policy::ParseDate(i % 2 ? "2013-01-01" : k % 2 ? "2024-05-29" : "2024-12-29", &d));
      d.days += i % 2 ? (i * 7919 + k * 104729) % 5000 : (i / 6 + k) % 6;
      std::string issued = R"(,"issued_on":")" + policy::FormatDate(d) + R"(")";
      if (i % 97 == 5) issued = R"(,"issued_on":"2025-02-30")";
      if (i % 89 == 7) issued.clear();
      certificates += std::string(k ? "," : "") + R"({"type":")" + types[(i + k) % 5] + R"(","number":"N-)" +
                      std::to_string((i * 31 + k) % 4000) + R"(")" + issued + "}";
    }
    // 1,500 units: a unit is paid for at most 3 certificates a year under the guide.
    std::string uscc = "914403000000" + std::to_string(10000 + i % 1500);
    uscc += UsccCheckCharacter(uscc);
    input += App("a" + std::to_string(i),
                 R"("measure":"high_end_certification","subject":"S)" + std::to_string(i) +
                     R"(","facts":{"certificates":[)" + certificates + "]}",
                 true, false, uscc) +
             "\n";
  }
  for (const std::string when :
       {"facts.certificates.all(c, c.issued_on >= timestamp('2025-01-01T00:00:00+08:00'))",
        "facts.certificates.all(c, c.type != 'robot' || c.issued_on >= timestamp('2024-06-01T00:00:00+08:00'))",
        "facts.certificates.exists(c, c.number.startsWith('N-1')) || facts.certificates.all(c, has(c.type))"}) {
    SCOPED_TRACE(when);
    const policy::RuleSet by_fields = Guided(when);
    const policy::RuleSet whole = Guided("(" + when + ") && size(facts.certificates) > 0");
    ASSERT_FALSE(CertificateCondition(by_fields).item_fields_read.empty());
    ASSERT_TRUE(CertificateCondition(whole).item_fields_read.empty());
    auto run = [&](const policy::RuleSet& rules, size_t workers, int64_t* eligible) {
      const Evaluator evaluator(rules);
      const RoundDriver driver(evaluator);
      StringRoundSource source(input);
      RoundOptions options;
      options.workers = workers;
      std::string out;
      options.write = [&](std::string_view bytes) { out.append(bytes); };
      Ledger ledger;
      RoundSummary summary;
      EXPECT_TRUE(driver.Run(&source, &ledger, options, &summary));
      *eligible = summary.count[static_cast<int>(Outcome::kEligible)];
      return out;
    };
    int64_t eligible = 0, eligible_whole = 0;
    const std::string got = run(by_fields, 2, &eligible), want = run(whole, 1, &eligible_whole);
    EXPECT_EQ(got, want);
    EXPECT_EQ(eligible, eligible_whole);
    EXPECT_GT(eligible, 100);
    EXPECT_LT(eligible, 5000);  // the condition fails for some
  }
}

TEST(ConditionMemoTest, KeepsAtMostItsBoundPerCondition) {
  policy::Condition a, b;
  ConditionMemo memo;
  EXPECT_EQ(memo.Find(a, "x"), nullptr);
  memo.Keep(a, "x", expr::Value::Bool(true));
  memo.Keep(b, "x", expr::Value::Bool(false));
  ASSERT_NE(memo.Find(a, "x"), nullptr);
  EXPECT_TRUE(memo.Find(a, "x")->bool_value());
  EXPECT_FALSE(memo.Find(b, "x")->bool_value());
  EXPECT_EQ(memo.Find(a, "y"), nullptr);
  for (size_t i = 0; i < ConditionMemo::kMostKept + 10; ++i) memo.Keep(a, std::to_string(i), expr::Value::Bool(true));
  size_t kept = 0;
  for (size_t i = 0; i < ConditionMemo::kMostKept + 10; ++i) kept += memo.Find(a, std::to_string(i)) != nullptr;
  EXPECT_EQ(kept, ConditionMemo::kMostKept - 1);  // "x" took one place
  EXPECT_NE(memo.Find(b, "x"), nullptr);
}

// Where the reader found the measure is a hint: a wrong one (an application read under other
// rules) changes nothing.
TEST_F(EvaluatorTest, TheMeasuresPlaceFromTheReaderIsOnlyAHint) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application app;
  reader.Read(App("a", R"("measure":"china_quality_award","subject":"CQA-W","facts":{"level":"winner"})"), &app);
  ASSERT_LT(app.measure_index, rules.measures.size());
  EXPECT_EQ(rules.measures[app.measure_index]->id, "china_quality_award");
  const Evaluator evaluator(rules);
  auto decided = [&](size_t index) {
    Application a = app;
    a.measure_index = index;
    Ledger ledger;
    std::string json;
    AppendDecisionJson(evaluator.Decide(a, &ledger, true), evaluator.provenance(), &json);
    return json;
  };
  const std::string want = decided(app.measure_index);
  EXPECT_NE(want.find("\"outcome\":\"eligible\""), std::string::npos) << want;
  for (size_t index : {size_t{0}, rules.measures.size() - 1, rules.measures.size(), SIZE_MAX}) {
    EXPECT_EQ(decided(index), want) << index;
  }
}

TEST_F(EvaluatorTest, ScreeningNeverGuessesEligible) {
  auto rules = Rules();
  Ledger ledger;
  // Level unknown: the ceiling and the first-time rule depend on it.
  Decision d = Decide(rules, &ledger, App("a", R"("measure":"china_quality_award","subject":"S")"), /*partial=*/true);
  EXPECT_EQ(d.outcome, Outcome::kUndetermined);
  EXPECT_EQ(d.missing_facts, std::vector<std::string>{"facts.level"});
  // A definite failure decides even with facts missing: not registered in Shenzhen.
  Decision out = Decide(rules, &ledger, App("b", R"("measure":"china_quality_award","subject":"S")", false),
                        /*partial=*/true);
  EXPECT_EQ(out.outcome, Outcome::kIneligible);
  // An unknown body: the recognised-list condition cannot be decided.
  Decision body = Decide(rules, &ledger, App("c", R"("measure":"international_accreditation","subject":"S2")"),
                         /*partial=*/true);
  EXPECT_EQ(body.outcome, Outcome::kUndetermined);
  EXPECT_EQ(body.missing_facts, std::vector<std::string>{"facts.body"});
  // Everything known: eligible as in eval.
  Decision known = Decide(rules, &ledger,
                          App("d", R"("measure":"international_accreditation","subject":"S3","facts":{"body":"UKAS"})"),
                          /*partial=*/true);
  EXPECT_EQ(known.outcome, Outcome::kEligible);
}

TEST_F(EvaluatorTest, AmendmentChangesTheCeilingFromItsDate) {
  policy::PolicyBundle bundle;
  policy::DiagnosticSink sink;
  ASSERT_TRUE(policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand",
                                  std::string(QGRANT_SOURCE_DIR) + "/tests/policy/fixtures/amendment-2027-01.yaml"},
                                 &bundle, &sink))
      << sink.Format();
  policy::Date before, after;
  EXPECT_TRUE(policy::ParseDate("2026-12-31", &before));
  EXPECT_TRUE(policy::ParseDate("2027-01-01", &after));
  auto old_rules = policy::ResolveRules(bundle, nullptr, before);
  auto new_rules = policy::ResolveRules(bundle, nullptr, after);
  Ledger l1, l2;
  std::string app = App("a", R"("measure":"mayor_quality_award","subject":"M","facts":{"grade":"gold"})");
  EXPECT_EQ(Decide(old_rules, &l1, app).amount_fen, 200000000);
  EXPECT_EQ(Decide(new_rules, &l2, app).amount_fen, 300000000);
  EXPECT_EQ(new_rules.amendments_applied, std::vector<std::string>{"sz-quality-brand-amend-2027-01"});
  Decision cancelled = Decide(new_rules, &l2, App("b", R"("measure":"qi_demonstration","subject":"Q")"));
  EXPECT_EQ(cancelled.outcome, Outcome::kIneligible);
  EXPECT_TRUE(HasReason(cancelled, "measure_cancelled"));
}

}  // namespace
}  // namespace qgrant::engine

namespace qgrant::engine {
namespace {

// upgrade_pays: difference — a unit paid for a nomination that later wins the award itself is
// paid the ceiling less what the lower level paid; with the default (full) it gets the ceiling.
TEST(UpgradeSettingTest, DifferencePaysTheCeilingLessLowerLevels) {
  std::ifstream in(std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand/policy.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string full = "upgrade_pays: full";
  ASSERT_NE(yaml.find(full), std::string::npos);
  yaml.replace(yaml.find(full), full.size(), "upgrade_pays: difference");
  std::string dir = ::testing::TempDir() + "/upgrade_policy";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/policy.yaml") << yaml;

  policy::PolicyBundle bundle;
  policy::DiagnosticSink sink;
  ASSERT_TRUE(policy::LoadBundle({dir}, &bundle, &sink)) << sink.Format();
  ASSERT_TRUE(bundle.policy->upgrade_pays_difference);
  policy::Date as_of;
  EXPECT_TRUE(policy::ParseDate("2026-06-01", &as_of));
  policy::RuleSet rules = policy::ResolveRules(bundle, nullptr, as_of);
  Evaluator evaluator(rules);
  ApplicationReader reader(rules);
  Ledger ledger;
  ASSERT_TRUE(
      ledger
          .LoadLine(
              R"({"uscc":"91440300MA5XXXXXXR","policy":"sz-quality-brand","measure":"china_quality_award","level":"nominee","subject":"CQA-2021-N","amount_fen":100000000})",
              1)
          .ok());
  Application app;
  reader.Read(
      R"({"id":"w","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award","subject":"CQA-2025-W","obtained_on":"2025-09-12","facts":{"level":"winner"}})",
      &app);
  Decision d = evaluator.Decide(app, &ledger, /*explain=*/false);
  EXPECT_EQ(d.outcome, Outcome::kEligible);
  EXPECT_EQ(d.cap_fen, 300000000);
  EXPECT_EQ(d.amount_fen, 200000000);
  // A unit with no lower level before is paid in full even under this setting.
  reader.Read(
      R"({"id":"x","applicant":{"uscc":"914403001922038216","name":"n","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award","subject":"CQA-2025-X","obtained_on":"2025-09-12","facts":{"level":"winner"}})",
      &app);
  EXPECT_EQ(evaluator.Decide(app, &ledger, false).amount_fen, 300000000);
}

}  // namespace
}  // namespace qgrant::engine
