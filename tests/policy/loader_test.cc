// The names a policy gives its facts for people: `label` on a fact (top-level, list item field,
// object field) and `value_names` on a fact with an enum, each checked where it is written; the
// level fact's values named by the measure's level_names; and the shipped policy naming every
// fact and every value of a closed list.
#include "policy/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace qgrant::policy {
namespace {

// A policy of two measures, `facts` (YAML at four spaces' indent) declared by the first; the
// second a China Quality Award whose level fact may carry `level_extra` (keys at eight spaces).
std::string PolicyText(const std::string& facts, const std::string& level_extra = "") {
  return R"(kind: policy
id: test-policy
version: "test.1"
title: {zh: 测试政策, en: Test policy}
authority: {zh: 深圳市市场监督管理局, en: Shenzhen Administration for Market Regulation}
settings:
  effective_from: 2026-01-01
  validity_years: 5
measures:
  - id: high_end_certification
    clause: 一（三）
    title: {zh: 高端品质认证, en: High-end certification}
    text: {zh: 每项认证予以最高5万元资助。, en: "Up to 50,000 yuan per certification."}
    applicants: [enterprise]
    facts:
)" + facts +
         R"(    ceiling_fen: 5_000_000
    eligible_reason: {code: ok, zh: 符合, en: Eligible}
  - id: china_quality_award
    clause: 三（八）
    title: {zh: 中国质量奖, en: China Quality Award}
    text: {zh: 对首次获得中国质量奖的单位予以奖励。, en: First-time winners are rewarded.}
    applicants: [enterprise]
    facts:
      level:
        type: string
        enum: [winner, nominee]
        required: true
        label: {zh: 获得奖项, en: Award obtained}
)" + level_extra +
         R"(    level: level
    level_names:
      winner: {zh: 中国质量奖, en: China Quality Award}
      nominee: {zh: 中国质量奖提名奖, en: China Quality Award nomination}
    once: first_time
    ceiling_fen: {winner: 300_000_000, nominee: 100_000_000}
    eligible_reason: {code: first_time, zh: "首次获得{level}", en: "{level} obtained for the first time"}
)";
}

// The facts of the first measure, all named.
const char* const kNamedFacts = R"(      certificates:
        type: list
        required: true
        label: {zh: 认证证书, en: Certificates}
        items:
          type:
            type: string
            enum: [green_product, robot]
            label: {zh: 认证类型, en: Certification}
            value_names:
              green_product: {zh: 绿色产品认证, en: Green product certification}
              robot: {zh: 机器人认证, en: Robot certification}
          number: {type: string, label: {zh: 证书编号, en: Certificate number}}
      issuer:
        type: object
        items:
          name: {type: string, label: {zh: 发证机构名称, en: Name of the issuer}}
      note: {type: string}
)";

class LoaderNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("qgrant-loader-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Loads `text` as policy.yaml; whether it loaded, the diagnostics in sink_.
  bool Load(const std::string& text) {
    const std::string path = (dir_ / "policy.yaml").string();
    std::ofstream(path) << text;
    return LoadBundle({path}, &bundle_, &sink_);
  }

  // The one error reported, as "line:column: message" (or every diagnostic, when not just one).
  std::string OnlyError() const {
    if (sink_.diagnostics().size() != 1) return "not one diagnostic:\n" + sink_.Format();
    const PolicyDiagnostic& d = sink_.diagnostics()[0];
    if (d.severity != PolicyDiagnostic::Severity::kError) return "a warning: " + d.message;
    return std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message;
  }

  std::filesystem::path dir_;
  PolicyBundle bundle_;
  DiagnosticSink sink_;
};

const FactSpec* Find(const std::vector<FactSpec>& facts, const std::string& name) {
  for (const auto& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST_F(LoaderNamesTest, LabelsAndValueNamesAreReadAtEveryDepth) {
  ASSERT_TRUE(Load(PolicyText(kNamedFacts))) << sink_.Format();
  const Measure& m = bundle_.policy->measures[0];
  const FactSpec* certificates = Find(m.facts, "certificates");
  ASSERT_NE(certificates, nullptr);
  ASSERT_TRUE(certificates->label.has_value());
  EXPECT_EQ(certificates->label->zh, "认证证书");
  EXPECT_EQ(certificates->label->en, "Certificates");
  const FactSpec* type = Find(certificates->fields, "type");
  ASSERT_NE(type, nullptr);
  ASSERT_TRUE(type->label.has_value());
  EXPECT_EQ(type->label->zh, "认证类型");
  ASSERT_EQ(type->value_names.size(), 2u);
  EXPECT_EQ(type->value_names.at("green_product").zh, "绿色产品认证");
  EXPECT_EQ(type->value_names.at("robot").en, "Robot certification");
  const FactSpec* number = Find(certificates->fields, "number");
  ASSERT_NE(number, nullptr);
  ASSERT_TRUE(number->label.has_value());
  EXPECT_EQ(number->label->en, "Certificate number");
  EXPECT_TRUE(number->value_names.empty());
  const FactSpec* issuer = Find(m.facts, "issuer");
  ASSERT_NE(issuer, nullptr);
  EXPECT_FALSE(issuer->label.has_value());
  const FactSpec* issuer_name = Find(issuer->fields, "name");
  ASSERT_NE(issuer_name, nullptr);
  ASSERT_TRUE(issuer_name->label.has_value());
  EXPECT_EQ(issuer_name->label->zh, "发证机构名称");
  // Both optional: a fact without them loads as before.
  const FactSpec* note = Find(m.facts, "note");
  ASSERT_NE(note, nullptr);
  EXPECT_FALSE(note->label.has_value());
  EXPECT_TRUE(note->value_names.empty());
}

TEST_F(LoaderNamesTest, TheLevelFactsValuesAreNamedByLevelNames) {
  ASSERT_TRUE(Load(PolicyText(kNamedFacts))) << sink_.Format();
  const Measure& m = bundle_.policy->measures[1];
  const FactSpec* level = Find(m.facts, "level");
  ASSERT_NE(level, nullptr);
  ASSERT_EQ(level->value_names.size(), 2u);
  EXPECT_EQ(level->value_names.at("nominee").zh, "中国质量奖提名奖");
  EXPECT_EQ(level->value_names.at("winner").en, "China Quality Award");
  ASSERT_TRUE(level->label.has_value());
  EXPECT_EQ(level->label->zh, "获得奖项");
}

TEST_F(LoaderNamesTest, ValueNamesOnTheLevelFactAreRefused) {
  EXPECT_FALSE(Load(PolicyText(kNamedFacts, "        value_names: {winner: {zh: 获奖, en: Winner}}\n")));
  EXPECT_EQ(OnlyError(),
            "47:22: measure 'china_quality_award': the level fact 'level' is named by level_names; give the names "
            "of its values there, not under value_names");
}

TEST_F(LoaderNamesTest, AValueNameOutsideTheEnumIsAnErrorNamingIt) {
  const std::string facts = R"(      type:
        type: string
        enum: [green_product, robot]
        value_names:
          green_product: {zh: 绿色产品认证, en: Green product certification}
          robots: {zh: 机器人认证, en: Robot certification}
)";
  EXPECT_FALSE(Load(PolicyText(facts)));
  EXPECT_EQ(OnlyError(),
            "21:11: fact 'type': value_names names 'robots', which is not a value of its enum (green_product, robot)");
}

TEST_F(LoaderNamesTest, ValueNamesOnAFactWithoutAnEnumAreAnError) {
  const std::string facts = R"(      number:
        type: string
        value_names: {N1: {zh: 一号, en: Number one}}
)";
  EXPECT_FALSE(Load(PolicyText(facts)));
  EXPECT_EQ(OnlyError(), "18:22: fact 'number': value_names names the values of an enum, and this fact has none");
}

TEST_F(LoaderNamesTest, ALabelNeedsBothLanguages) {
  EXPECT_FALSE(Load(PolicyText("      number: {type: string, label: {zh: 证书编号}}\n")));
  EXPECT_EQ(OnlyError(), "16:37: 'label' has no English (en) text");
  sink_ = DiagnosticSink();
  EXPECT_FALSE(Load(PolicyText("      number: {type: string, label: {zh: \"\", en: Certificate number}}\n")));
  EXPECT_EQ(OnlyError(), "16:37: 'label' has no Chinese (zh) text");
  sink_ = DiagnosticSink();
  EXPECT_FALSE(Load(PolicyText("      number: {type: string, label: 证书编号}\n")));
  EXPECT_EQ(OnlyError(), "16:37: field 'label' must give both languages: {zh: ..., en: ...}");
}

TEST_F(LoaderNamesTest, AValueNameNeedsBothLanguages) {
  const std::string facts = R"(      type:
        type: string
        enum: [green_product, robot]
        value_names:
          green_product: {zh: 绿色产品认证, en: ""}
)";
  EXPECT_FALSE(Load(PolicyText(facts)));
  EXPECT_EQ(OnlyError(), "20:26: 'green_product' has no English (en) text");
}

TEST_F(LoaderNamesTest, AnUnknownKeyInAFactIsStillAnError) {
  EXPECT_FALSE(Load(PolicyText("      number: {type: string, lable: {zh: 证书编号, en: Certificate number}}\n")));
  const std::string error = OnlyError();
  EXPECT_NE(error.find("unknown field 'lable' in fact 'number'"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean 'label'?"), std::string::npos) << error;
}

// Every fact of the shipped policy reads as words, and every value of a closed list has a name:
// the pages show no machine id.
TEST(ShippedPolicyNames, EveryFactHasALabelAndEveryEnumValueAName) {
  PolicyBundle bundle;
  DiagnosticSink sink;
  ASSERT_TRUE(LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, &bundle, &sink))
      << sink.Format();
  std::function<void(const std::string&, const FactSpec&)> check = [&](const std::string& where, const FactSpec& f) {
    EXPECT_TRUE(f.label.has_value()) << where << f.name << " has no label";
    for (const auto& v : f.enum_values) {
      EXPECT_TRUE(f.value_names.count(v)) << where << f.name << ": value '" << v << "' has no name";
    }
    for (const auto& field : f.fields) check(where + f.name + ".", field);
  };
  for (const auto& f : bundle.policy->applicant_facts) check("applicant.", f);
  for (const auto& m : bundle.policy->measures) {
    for (const auto& f : m.facts) check(m.id + ": facts.", f);
  }
  const Measure* shenzhen_standard = nullptr;
  for (const auto& m : bundle.policy->measures) {
    if (m.id == "shenzhen_standard_certification") shenzhen_standard = &m;
  }
  ASSERT_NE(shenzhen_standard, nullptr);
  EXPECT_EQ(shenzhen_standard->facts[0].value_names.at("shenzhen_standard").zh, "深圳标准认证");
}

// A draft reform saved in the policy folder would decide real applications: refused. Given as a
// file of its own (qgrant simulate --reform), it is taken and named as a reform.
TEST(DraftReforms, AReformInAPolicyFolderIsRefusedAndOneGivenAloneIsNamed) {
  namespace fs = std::filesystem;
  static std::atomic<int> counter{0};
  const fs::path dir =
      fs::temp_directory_path() / ("qgrant-reform-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const fs::path shipped = fs::path(QGRANT_SOURCE_DIR) / "policies/sz-quality-brand";
  const std::string reform = std::string(QGRANT_SOURCE_DIR) + "/examples/reform-double-certification.yaml";
  fs::create_directories(dir);
  fs::copy(shipped, dir, fs::copy_options::recursive);
  fs::copy_file(reform, dir / "draft.yaml");
  PolicyBundle bundle;
  DiagnosticSink sink;
  EXPECT_FALSE(LoadBundle({dir.string()}, &bundle, &sink));
  EXPECT_NE(sink.Format().find("a draft reform (kind: reform) in a policy folder"), std::string::npos) << sink.Format();
  EXPECT_NE(sink.Format().find("draft.yaml"), std::string::npos);
  fs::remove(dir / "draft.yaml");
  DiagnosticSink alone;
  ASSERT_TRUE(LoadBundle({dir.string(), reform}, &bundle, &alone)) << alone.Format();
  EXPECT_EQ(bundle.reforms, std::vector<std::string>{"reform-2027-draft-certification"});
  DiagnosticSink plain;
  ASSERT_TRUE(LoadBundle({dir.string()}, &bundle, &plain)) << plain.Format();
  EXPECT_TRUE(bundle.reforms.empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qgrant::policy
