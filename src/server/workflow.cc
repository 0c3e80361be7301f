#include "server/workflow.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace qgrant::server {

namespace {

const std::vector<std::string>& KnownRoles() {
  static const std::vector<std::string> kRoles = {"applicant", "reviewer", "expert", "officer",
                                                  "finance",   "auditor",  "admin"};
  return kRoles;
}

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n.IsDefined() && n.IsSequence()) {
    for (const auto& e : n) out.push_back(e.as<std::string>());
  }
  return out;
}

// A member of a map, or an undefined node: a missing key is never an exception here.
YAML::Node Member(const YAML::Node& n, const char* key) {
  if (!n.IsDefined() || !n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (it->first.as<std::string>() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string Scalar(const YAML::Node& n, const char* key) {
  const YAML::Node v = Member(n, key);
  return v.IsDefined() && v.IsScalar() ? v.as<std::string>() : std::string();
}

policy::Text Label(const YAML::Node& n) { return {Scalar(n, "zh"), Scalar(n, "en")}; }

Status Problem(const std::string& path, const std::string& what) {
  return Status::InvalidArgument("workflow " + path + ": " + what);
}

Result<WorkflowAction> ReadAction(const std::string& path, const std::string& id, const YAML::Node& n) {
  WorkflowAction a;
  a.id = id;
  a.label = Label(n);
  a.from = Strings(Member(n, "from"));
  a.to = Scalar(n, "to");
  a.roles = Strings(Member(n, "roles"));
  for (const auto& need : Strings(Member(n, "needs"))) {
    if (need == "note")
      a.needs_note = true;
    else if (need == "deadline")
      a.needs_deadline = true;
    else if (need == "round_open")
      a.needs_round_open = true;
    else if (need == "within_deadline")
      a.needs_within_deadline = true;
    else
      return Problem(
          path, "action '" + id + "' needs '" + need + "', which is not note, deadline, round_open or within_deadline");
  }
  if (a.label.zh.empty() || a.label.en.empty()) return Problem(path, "action '" + id + "' needs zh and en");
  return a;
}

Result<WorkflowStep> ReadStep(const std::string& path, const std::string& id, const YAML::Node& n) {
  WorkflowStep s{id, Label(n), Strings(Member(n, "from")), Strings(Member(n, "to"))};
  if (s.label.zh.empty() || s.label.en.empty()) return Problem(path, "round step '" + id + "' needs zh and en");
  return s;
}

}  // namespace

Result<Workflow> Workflow::Load(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Problem(path, e.what());
  }
  Workflow w;
  try {
    if (Scalar(root, "kind") != "workflow") return Problem(path, "kind must be workflow");
    w.version_ = Scalar(root, "version");
    const YAML::Node states = Member(root, "states"), actions = Member(root, "actions");
    if (!states.IsMap() || !actions.IsMap()) return Problem(path, "states and actions must be maps");
    for (auto it = states.begin(); it != states.end(); ++it) {
      const YAML::Node n = it->second;  // a copy: the iterator's pair is a temporary
      WorkflowState s{it->first.as<std::string>(), Label(n), Scalar(n, "live") != "false", Scalar(n, "public_as")};
      if (s.label.zh.empty() || s.label.en.empty()) return Problem(path, "state '" + s.id + "' needs zh and en");
      w.states_.push_back(std::move(s));
    }
    for (auto it = actions.begin(); it != actions.end(); ++it) {
      auto a = ReadAction(path, it->first.as<std::string>(), it->second);
      if (!a.ok()) return a.status();
      w.actions_.push_back(std::move(*a));
    }
    const YAML::Node steps = Member(root, "round_steps");  // optional
    if (steps.IsDefined() && !steps.IsMap()) return Problem(path, "round_steps must be a map");
    if (steps.IsDefined()) {
      for (auto it = steps.begin(); it != steps.end(); ++it) {
        auto s = ReadStep(path, it->first.as<std::string>(), it->second);
        if (!s.ok()) return s.status();
        w.steps_.push_back(std::move(*s));
      }
    }
  } catch (const YAML::Exception& e) {
    return Problem(path, e.what());
  }
  for (const auto& s : w.states_) {
    if (!s.public_as.empty() && w.State(s.public_as) == nullptr)
      return Problem(path, "state '" + s.id + "' shows as unknown '" + s.public_as + "'");
  }
  for (const auto& a : w.actions_) {
    for (const auto& s : a.from) {
      if (w.State(s) == nullptr) return Problem(path, "action '" + a.id + "' starts from unknown state '" + s + "'");
    }
    if (w.State(a.to) == nullptr) return Problem(path, "action '" + a.id + "' leads to unknown state '" + a.to + "'");
    for (const auto& r : a.roles) {
      if (std::find(KnownRoles().begin(), KnownRoles().end(), r) == KnownRoles().end()) {
        return Problem(path, "action '" + a.id + "' names unknown role '" + r + "'");
      }
    }
  }
  for (const auto& s : w.steps_) {
    for (const auto* states : {&s.from, &s.to}) {
      for (const auto& state : *states) {
        if (w.State(state) == nullptr)
          return Problem(path, "round step '" + s.id + "' names unknown state '" + state + "'");
      }
    }
  }
  if (w.states_.empty() || w.actions_.empty()) return Problem(path, "no states or no actions");
  return w;
}

const WorkflowState* Workflow::State(std::string_view id) const {
  for (const auto& s : states_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const WorkflowAction* Workflow::Action(std::string_view id) const {
  for (const auto& a : actions_) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const WorkflowStep* Workflow::Step(std::string_view id) const {
  for (const auto& s : steps_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::vector<std::string> Workflow::Allowed(std::string_view state, std::string_view role) const {
  std::vector<std::string> out;
  for (const auto& a : actions_) {
    const bool from = std::find(a.from.begin(), a.from.end(), state) != a.from.end();
    const bool may = std::find(a.roles.begin(), a.roles.end(), role) != a.roles.end();
    if (from && may) out.push_back(a.id);
  }
  return out;
}

bool Workflow::RoleMayEver(std::string_view action, std::string_view role) const {
  const WorkflowAction* a = Action(action);
  return a != nullptr && std::find(a->roles.begin(), a->roles.end(), role) != a->roles.end();
}

bool Workflow::IsLive(std::string_view state) const {
  const WorkflowState* s = State(state);
  return s != nullptr && s->live;
}

const std::string& Workflow::PublicState(const std::string& state, bool notice_started) const {
  const WorkflowState* s = State(state);
  if (s == nullptr || notice_started) return state;
  if (!s->public_as.empty()) return s->public_as;
  const WorkflowStep* notice = Step("notice");
  if (notice != nullptr && !notice->from.empty() && notice->from[0] != state &&
      std::find(notice->to.begin(), notice->to.end(), state) != notice->to.end()) {
    return PublicState(notice->from[0], false);
  }
  return state;
}

}  // namespace qgrant::server
