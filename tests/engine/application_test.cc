#include "engine/application.h"

#include <gtest/gtest.h>

#include "rules_fixture.h"

namespace qgrant::engine {
namespace {

class ApplicationTest : public ShippedPolicyTest {};

const char* kGood =
    R"({"id":"a1","applicant":{"uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司","kind":"enterprise",)"
    R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award",)"
    R"("subject":"CQA-2025","obtained_on":"2025-09-12","facts":{"level":"winner"},"requested_fen":300000000})";

std::vector<std::string> Paths(const Application& a) {
  std::vector<std::string> out;
  for (const auto& e : a.errors) out.push_back(e.path + ":" + e.code);
  return out;
}

TEST_F(ApplicationTest, ReadsAValidApplication) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read(kGood, &a);
  EXPECT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  EXPECT_EQ(*a.id, "a1");
  EXPECT_EQ(a.level, "winner");
  EXPECT_EQ(*a.requested_fen, 300000000);
  EXPECT_EQ(policy::FormatDate(a.obtained_on), "2025-09-12");
}

TEST_F(ApplicationTest, ReportsEveryBadFieldWithItsPath) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read(R"({"id":"","applicant":{"uscc":"91440300ma5xxxxxxr","name":"x","kind":"company",)"
              R"("registered_in_shenzhen":"yes"},"measure":"china_quality_award","subject":"s",)"
              R"("obtained_on":"2025-02-30","facts":{"level":"gold"},"requested_fen":1.5})",
              &a);
  auto p = Paths(a);
  for (const char* want :
       {"id:empty", "applicant.uscc:invalid_uscc", "applicant.kind:not_in_list",
        "applicant.registered_in_shenzhen:wrong_type", "applicant.serious_dishonesty:missing",
        "obtained_on:invalid_date", "facts.level:not_in_list", "requested_fen:not_positive_integer"}) {
    EXPECT_NE(std::find(p.begin(), p.end(), want), p.end()) << want << " in " << ::testing::PrintToString(p);
  }
}

TEST_F(ApplicationTest, NullCountsAsAbsentAndAbsentFactsAreEmpty) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read(R"({"id":"a","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"qi_demonstration",)"
              R"("subject":"s","obtained_on":"2026-01-01","requested_fen":null,"facts":null})",
              &a);
  EXPECT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  EXPECT_FALSE(a.requested_fen.has_value());
  reader.Read(R"({"id":"a","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award",)"
              R"("subject":"s","obtained_on":"2026-01-01"})",
              &a);
  EXPECT_EQ(Paths(a), std::vector<std::string>{"facts.level:missing"});
}

TEST_F(ApplicationTest, NotJsonOrNotAnObject) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read("not json", &a);
  EXPECT_FALSE(a.id.has_value());
  EXPECT_EQ(Paths(a), std::vector<std::string>{":not_json"});
  reader.Read("[1,2]", &a);
  EXPECT_EQ(Paths(a), std::vector<std::string>{":not_object"});
}

TEST_F(ApplicationTest, CertificatesAreItemsWithPaths) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read(R"({"id":"c","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"high_end_certification",)"
              R"("subject":"s","obtained_on":"2026-01-01","facts":{"certificates":[)"
              R"({"type":"green_product","number":"A","issued_on":"2026-01-01"},)"
              R"({"type":"solar","number":"B","issued_on":"2026-13-01"}]}})",
              &a);
  auto p = Paths(a);
  EXPECT_NE(std::find(p.begin(), p.end(), "facts.certificates[1].type:not_in_list"), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "facts.certificates[1].issued_on:invalid_date"), p.end());
}

// The texts name a field in words, as applicants read them on the pages (WEB.md §1): a fact by
// its policy label (an item of a list by its place), the contract's own fields by fixed words, a
// closed list's values by their names. The path stays as it was, for machines.
const FieldError* ErrorAt(const Application& a, const std::string& path) {
  for (const auto& e : a.errors) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

TEST_F(ApplicationTest, TextsNameFieldsInWordsAndPathsStay) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read(R"({"id":"w","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false,"years_operating":"ten"},)"
              R"("measure":"high_end_certification","subject":"s","requested_fn":5,"facts":{"certificates":[)"
              R"({"type":"bogus","number":"A","issued_on":"2026-01-01"},)"
              R"({"type":"robot","issued_on":"2026-01-01","colour":"red"}]}})",
              &a);
  auto p = Paths(a);
  for (const char* want : {"obtained_on:missing", "facts.certificates[0].type:not_in_list",
                           "facts.certificates[1].number:missing", "facts.certificates[1].colour:unknown_field",
                           "requested_fn:unknown_field", "applicant.years_operating:wrong_type"}) {
    EXPECT_NE(std::find(p.begin(), p.end(), want), p.end()) << want << " in " << ::testing::PrintToString(p);
  }
  // A top-level field of the contract.
  const FieldError* e = ErrorAt(a, "obtained_on");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "缺少必填项「获得日期」");
  EXPECT_EQ(e->text.en, "Date obtained is required and was not given");
  // A field of a list's item.
  e = ErrorAt(a, "facts.certificates[1].number");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "缺少必填项「认证证书」第2项的「证书编号」");
  EXPECT_EQ(e->text.en, "Certificates, item 2: Certificate number is required and was not given");
  // A value outside a closed list: quoted as given, the allowed ones by their names.
  e = ErrorAt(a, "facts.certificates[0].type");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, "not_in_list");
  EXPECT_EQ(
      e->text.zh,
      "「认证证书」第1项的「认证类型」填写的「bogus」不在允许范围内（可选：绿色产品认证、绿色金融认证、碳足迹认证、"
      "车规芯片认证、机器人认证、其他高端品质认证）");
  EXPECT_EQ(e->text.en,
            "Certificates, item 1: Certification is 'bogus', which is not one of: Green product certification, Green "
            "finance certification, Carbon footprint certification, Automotive-grade chip certification, Robot "
            "certification, Other high-end certification");
  // A further applicant fact of the policy, by its label.
  e = ErrorAt(a, "applicant.years_operating");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "「成立年限」应为整数");
  EXPECT_EQ(e->text.en, "Years in operation must be a whole number");
  // An unknown field has no words: it is named as given, in the object it was found in.
  e = ErrorAt(a, "facts.certificates[1].colour");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "「认证证书」第2项中的字段「colour」未定义（请检查拼写）");
  EXPECT_EQ(e->text.en, "Certificates, item 2: field 'colour' is not defined (check its spelling)");
  e = ErrorAt(a, "requested_fn");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "字段「requested_fn」未定义（请检查拼写）");
  // No text spells a path out; outside 「」 no Chinese text has a machine id.
  for (const auto& err : a.errors) {
    for (const std::string& text : {err.text.zh, err.text.en}) {
      EXPECT_EQ(text.find("facts."), std::string::npos) << text;
      EXPECT_EQ(text.find("certificates["), std::string::npos) << text;
      EXPECT_EQ(text.find("obtained_on"), std::string::npos) << text;
    }
  }

  // The contract's applicant fields and the applicant kinds by their words too.
  reader.Read(R"({"id":"k","applicant":{"uscc":"91440300MA5XXXXXXR","name":"","kind":"company",)"
              R"("registered_in_shenzhen":true},"measure":"china_quality_award","subject":"s",)"
              R"("obtained_on":"2026-01-01","facts":{"level":"gold"}})",
              &a);
  e = ErrorAt(a, "applicant.kind");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh,
            "「单位类型」填写的「company」不在允许范围内（可选：企业、事业单位、社会组织、园区（项目）组织单位）");
  e = ErrorAt(a, "applicant.serious_dishonesty");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "缺少必填项「是否列入严重失信主体名单」");
  e = ErrorAt(a, "applicant.name");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "「单位名称」不能为空");
  EXPECT_EQ(e->text.en, "Name of the unit must not be empty");
  // A level fact's values are named by the measure's level names.
  e = ErrorAt(a, "facts.level");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text.zh, "「获得奖项」填写的「gold」不在允许范围内（可选：中国质量奖、中国质量奖提名奖）");
}

// A fact the policy gives no label keeps its path in the texts: there are no words for it.
TEST_F(ApplicationTest, AFactWithoutALabelKeepsItsPath) {
  auto rules = Rules();
  const size_t at = rules.MeasureIndex("high_end_certification");
  ASSERT_NE(at, SIZE_MAX);
  policy::Measure unlabelled = *rules.measures[at];
  for (auto& fact : unlabelled.facts) {
    for (auto& field : fact.fields) field.label.reset();
  }
  rules.measures[at] = &unlabelled;
  ApplicationReader reader(rules);
  Application a;
  reader.Read(
      R"({"id":"u","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
      R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"high_end_certification",)"
      R"("subject":"s","obtained_on":"2026-01-01","facts":{"certificates":[{"type":"robot","issued_on":"2026-01-01"}]}})",
      &a);
  EXPECT_EQ(Paths(a), std::vector<std::string>{"facts.certificates[0].number:missing"});
  ASSERT_EQ(a.errors.size(), 1u);
  EXPECT_EQ(a.errors[0].text.zh, "缺少必填项「facts.certificates[0].number」");
  EXPECT_EQ(a.errors[0].text.en, "Field facts.certificates[0].number is required and was not given");
}

// Facts no rule reads are validated but not built; the items come from the line all the same.
TEST_F(ApplicationTest, BuildsOnlyTheFactsSomeRuleReads) {
  const char* line = R"({"id":"c","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
                     R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"high_end_certification",)"
                     R"("subject":"s","obtained_on":"2026-01-01","facts":{"certificates":[)"
                     R"({"type":"green_product","number":"A-1","issued_on":"2026-01-01"},)"
                     R"({"type":"carbon_footprint","number":"B-2","issued_on":"2026-02-01"}]}})";
  // The policy alone reads nothing of the certificates (they are the items).
  auto rules = Rules();
  ApplicationReader reader(rules);
  Application a;
  reader.Read(line, &a);
  ASSERT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  EXPECT_EQ(a.facts.map_value().FindString("certificates"), nullptr);
  ASSERT_EQ(a.items.size(), 2u);
  EXPECT_EQ(a.items[0].key, "A-1");
  EXPECT_EQ(a.items[0].type, "green_product");
  EXPECT_EQ(a.items[1].key, "B-2");
  // A guide whose condition reads them: then they are built.
  std::shared_ptr<const policy::Guide> guide;
  policy::DiagnosticSink sink;
  ASSERT_TRUE(
      policy::LoadGuideFile(std::string(QGRANT_SOURCE_DIR) + "/tests/policy/fixtures/guide-certificates-condition.yaml",
                            *bundle_, &guide, &sink))
      << sink.Format();
  policy::Date d;
  ASSERT_TRUE(policy::ParseDate("2026-06-01", &d));
  auto with_guide = policy::ResolveRules(*bundle_, guide, d);
  ApplicationReader guided(with_guide);
  Application b;
  guided.Read(line, &b);
  ASSERT_TRUE(b.errors.empty());
  const expr::Value* certificates = b.facts.map_value().FindString("certificates");
  ASSERT_NE(certificates, nullptr);
  EXPECT_EQ(certificates->list_value().size(), 2u);
  EXPECT_EQ(b.items.size(), 2u);
  // The guide reads only when each was issued: an item's map has that field alone, and items
  // issued on the same day share one map.
  for (const expr::Value& item : certificates->list_value()) {
    ASSERT_EQ(item.kind(), expr::Kind::kMap);
    EXPECT_EQ(item.map_value().size(), 1u);
    EXPECT_NE(item.map_value().FindString("issued_on"), nullptr);
  }
  Application c;
  guided.Read(R"({"id":"c","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"high_end_certification",)"
              R"("subject":"s","obtained_on":"2026-01-01","facts":{"certificates":[)"
              R"({"type":"robot","number":"C-3","issued_on":"2026-01-01"}]}})",
              &c);
  ASSERT_TRUE(c.errors.empty());
  const expr::Value& first = c.facts.map_value().FindString("certificates")->list_value()[0];
  EXPECT_EQ(&first.map_value(), &certificates->list_value()[0].map_value());
  EXPECT_NE(&first.map_value(), &certificates->list_value()[1].map_value());
  EXPECT_EQ(first.map_value().FindString("issued_on")->DebugString(),
            DateValue(c.items[0].issued_on.value()).DebugString());
}

// The items are taken while the certificates are validated: in key form, with their dates, and
// none at all when the application has an error (a line read after it starts afresh).
TEST_F(ApplicationTest, ItemsAreTakenAsTheListIsValidatedAndDroppedOnAnError) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  const std::string head =
      R"({"id":"c","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
      R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"high_end_certification",)"
      R"("subject":"s","obtained_on":"2026-01-01","facts":{"certificates":[)";
  Application a;
  reader.Read(head + R"({"number":" gp-1 ","type":"green_product","issued_on":"2025-12-31"},)" +
                  R"({"issued_on":"2026-02-01","number":"B-2","type":"carbon_footprint"}]}})",
              &a);
  ASSERT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  ASSERT_EQ(a.items.size(), 2u);
  EXPECT_EQ(a.items[0].key, "GP-1");
  EXPECT_EQ(a.items[0].type, "green_product");
  ASSERT_TRUE(a.items[0].issued_on.has_value());
  EXPECT_EQ(policy::FormatDate(*a.items[0].issued_on), "2025-12-31");
  EXPECT_EQ(a.items[1].key, "B-2");
  EXPECT_EQ(a.items[1].type, "carbon_footprint");
  EXPECT_EQ(policy::FormatDate(*a.items[1].issued_on), "2026-02-01");

  reader.Read(head + R"({"number":"A","type":"green_product","issued_on":"2026-01-01"},3]}})", &a);
  EXPECT_EQ(Paths(a), std::vector<std::string>{"facts.certificates[1]:wrong_type"});
  EXPECT_TRUE(a.items.empty());
  reader.Read(R"({"id":"c","applicant":{"uscc":"bad"},"measure":"high_end_certification","facts":{"certificates":[)"
              R"({"number":"A","type":"green_product","issued_on":"2026-01-01"}]}})",
              &a);
  EXPECT_FALSE(a.errors.empty());
  EXPECT_TRUE(a.items.empty());

  reader.Read(head + R"({"number":"C-3","type":"green_product","issued_on":"2026-01-02"}]}})", &a);
  ASSERT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  ASSERT_EQ(a.items.size(), 1u);
  EXPECT_EQ(a.items[0].key, "C-3");
}

// A reader's facts maps hold its own values, never the policy's: copies of one value made on
// several threads at once contend for its reference count.
TEST_F(ApplicationTest, FactsMapsHoldTheReadersOwnValues) {
  auto rules = Rules();
  ApplicationReader reader(rules);
  auto policy_owns = [&](const std::string& measure, const expr::Value& v) {
    for (const auto& f : rules.FindMeasure(measure)->facts) {
      if (f.name_value.string_value().data() == v.string_value().data()) return true;
      for (const auto& e : f.enum_value_values) {
        if (e.string_value().data() == v.string_value().data()) return true;
      }
    }
    return false;
  };
  Application a;
  reader.Read(kGood, &a);  // a closed list: the map is one of those the reader keeps
  ASSERT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  ASSERT_EQ(a.facts.map_value().entries().size(), 1u);
  for (const auto& [name, value] : a.facts.map_value().entries()) {
    EXPECT_EQ(value.string_value(), "winner");
    EXPECT_FALSE(policy_owns("china_quality_award", name));
    EXPECT_FALSE(policy_owns("china_quality_award", value));
  }
  Application b;  // an open list: a map made for the application
  reader.Read(R"({"id":"b","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"international_accreditation",)"
              R"("subject":"s","obtained_on":"2026-01-01","facts":{"body":"ukas"}})",
              &b);
  ASSERT_TRUE(b.errors.empty()) << ::testing::PrintToString(Paths(b));
  ASSERT_EQ(b.facts.map_value().entries().size(), 1u);
  for (const auto& [name, value] : b.facts.map_value().entries()) {
    EXPECT_EQ(name.string_value(), "body");
    EXPECT_EQ(value.string_value(), "UKAS");
    EXPECT_FALSE(policy_owns("international_accreditation", name));
  }
}

TEST_F(ApplicationTest, PartialModeTurnsAbsentFactsIntoUnknowns) {
  auto rules = Rules();
  ApplicationReader reader(rules, /*partial=*/true);
  Application a;
  reader.Read(R"({"id":"u","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
              R"("registered_in_shenzhen":true},"measure":"china_quality_award","subject":"s",)"
              R"("obtained_on":"2026-01-01"})",
              &a);
  EXPECT_TRUE(a.errors.empty()) << ::testing::PrintToString(Paths(a));
  EXPECT_TRUE(a.IsUnknown("applicant.serious_dishonesty"));
  EXPECT_TRUE(a.IsUnknown("facts.level"));
  // Without a measure there is nothing to screen: still an error.
  reader.Read(R"({"id":"u","applicant":{"uscc":"91440300MA5XXXXXXR"}})", &a);
  auto p = Paths(a);
  EXPECT_NE(std::find(p.begin(), p.end(), "measure:missing"), p.end());
}

}  // namespace
}  // namespace qgrant::engine
