// The shipped workflow (policies/workflow.yaml) against CONTRACT §7's states and actions.
#include "server/workflow.h"

#include <gtest/gtest.h>

#include <fstream>

namespace qgrant::server {
namespace {

Workflow Shipped() {
  auto w = Workflow::Load(std::string(QGRANT_SOURCE_DIR) + "/policies/workflow.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return std::move(*w);
}

TEST(WorkflowTest, HasTheContractsStatesAndActions) {
  const Workflow w = Shipped();
  for (const char* s : {"draft", "submitted", "returned", "accepted", "rejected", "withdrawn", "proposed", "not_funded",
                        "in_notice", "approved", "paid"}) {
    EXPECT_NE(w.State(s), nullptr) << s;
  }
  const WorkflowAction* submit = w.Action("submit");
  ASSERT_NE(submit, nullptr);
  EXPECT_EQ(submit->to, "submitted");
  EXPECT_TRUE(submit->needs_round_open);
  const WorkflowAction* ret = w.Action("return");
  ASSERT_NE(ret, nullptr);
  EXPECT_TRUE(ret->needs_note && ret->needs_deadline);
  EXPECT_EQ(w.Action("approve"), nullptr);  // a round step, not an application's action
}

TEST(WorkflowTest, AllowedActionsFollowStateAndRole) {
  const Workflow w = Shipped();
  EXPECT_EQ(w.Allowed("submitted", "reviewer"), (std::vector<std::string>{"accept", "return", "reject"}));
  EXPECT_EQ(w.Allowed("submitted", "applicant"), (std::vector<std::string>{"withdraw"}));
  EXPECT_EQ(w.Allowed("accepted", "officer"), (std::vector<std::string>{"reject"}));
  EXPECT_EQ(w.Allowed("returned", "applicant"), (std::vector<std::string>{"submit", "withdraw"}));
  EXPECT_TRUE(w.Allowed("paid", "officer").empty());
  EXPECT_TRUE(w.RoleMayEver("reject", "admin"));
  EXPECT_FALSE(w.RoleMayEver("accept", "applicant"));
}

TEST(WorkflowTest, ApplicantsSeeProposedAsAcceptedUntilTheNotice) {
  const Workflow w = Shipped();
  EXPECT_EQ(w.PublicState("proposed", false), "accepted");
  EXPECT_EQ(w.PublicState("not_funded", false), "accepted");
  EXPECT_EQ(w.PublicState("proposed", true), "proposed");
  EXPECT_EQ(w.PublicState("returned", false), "returned");
  // A notice posted to start later has already moved the proposed cases: they still read as
  // accepted, until it starts.
  EXPECT_EQ(w.PublicState("in_notice", false), "accepted");
  EXPECT_EQ(w.PublicState("in_notice", true), "in_notice");
  EXPECT_EQ(w.PublicState("approved", false), "approved");
  ASSERT_NE(w.Step("allocate"), nullptr);
  EXPECT_EQ(w.Step("notice")->to, std::vector<std::string>{"in_notice"});
  EXPECT_EQ(w.Step("submit"), nullptr);  // an application's action, not a round step
  EXPECT_FALSE(w.IsLive("withdrawn"));
  EXPECT_FALSE(w.IsLive("not_funded"));
  EXPECT_TRUE(w.IsLive("draft"));
}

TEST(WorkflowTest, RefusesAFileThatNamesAnUnknownState) {
  const std::string path = ::testing::TempDir() + "/workflow_bad.yaml";
  std::ofstream(path) << "kind: workflow\nstates:\n  draft: {zh: 草稿, en: Draft}\nactions:\n"
                         "  submit: {from: [draft], to: sent, roles: [applicant], zh: 提交, en: Submit}\n";
  auto w = Workflow::Load(path);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("unknown state 'sent'"), std::string::npos) << w.status().message();
}

}  // namespace
}  // namespace qgrant::server
