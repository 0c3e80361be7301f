// Workflow: the states of an application and the actions that move it (CONTRACT §7), read from
// policies/workflow.yaml at start. Handlers ask it what an action does, who may fire it from which
// state, and what an applicant sees; none hard-codes a transition. Immutable once loaded; shared by
// every request thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "policy/model.h"

namespace qgrant::server {

struct WorkflowState {
  std::string id;
  policy::Text label;     // 已受理 / Accepted
  bool live = true;       // counts for the duplicate check (a unit's one live application)
  std::string public_as;  // shown to the applicant instead, until the notice starts; empty: itself
};

// A move the round makes for its applications (allocate, notice, uphold, approve, pay), never
// fired one by one: for the record and for what an applicant sees.
struct WorkflowStep {
  std::string id;
  policy::Text label;
  std::vector<std::string> from, to;
};

struct WorkflowAction {
  std::string id;
  policy::Text label;
  std::vector<std::string> from;
  std::string to;
  std::vector<std::string> roles;
  bool needs_note = false;             // a non-empty note
  bool needs_deadline = false;         // a deadline on or after today
  bool needs_round_open = false;       // the round takes submissions
  bool needs_within_deadline = false;  // a returned application, until its deadline inclusive
};

class Workflow {
 public:
  // Reads and checks the file: every state an action names exists, every role is known.
  static Result<Workflow> Load(const std::string& path);

  const WorkflowState* State(std::string_view id) const;
  const WorkflowAction* Action(std::string_view id) const;
  const WorkflowStep* Step(std::string_view id) const;  // a round step (`round_steps`), or null
  const std::vector<WorkflowState>& states() const { return states_; }
  const std::vector<WorkflowAction>& actions() const { return actions_; }

  // The actions `role` may fire from `state` (a 409 names them), in file order.
  std::vector<std::string> Allowed(std::string_view state, std::string_view role) const;
  // Whether `role` may fire `action` at all, from some state (else the answer is 403).
  bool RoleMayEver(std::string_view action, std::string_view role) const;
  bool IsLive(std::string_view state) const;
  // What an applicant sees of `state`: until the public notice starts, a state's `public_as`
  // (proposed and not_funded read as accepted), and an application the round's `notice` step has
  // already moved (in_notice, posted but not yet started) reads as the state it was moved from.
  const std::string& PublicState(const std::string& state, bool notice_started) const;

  const std::string& version() const { return version_; }

 private:
  std::string version_;
  std::vector<WorkflowState> states_;
  std::vector<WorkflowAction> actions_;
  std::vector<WorkflowStep> steps_;
};

}  // namespace qgrant::server
