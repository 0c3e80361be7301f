// Evaluation nodes: the planned form of an expression (cel-cpp's flat program, here a tree of
// nodes with virtual Eval). Each node kind has the evaluation rule of its CEL construct; the
// compiler (compiler.cc) builds them from the AST. Internal to src/expr.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/program.h"
#include "expr/value.h"

namespace qgrant::expr::internal {

// Per-evaluation state: the bindings, the comprehension variables (by slot) and what is left of
// the evaluation budget (EvaluateOptions in program.h).
struct Frame {
  const Activation* activation;
  Value* locals;
  int64_t cost_left;  // negative once the budget is spent, and from then on
  int64_t max_cost;

  // Takes `units` from the budget; false when that overspends it.
  [[nodiscard]] bool Charge(int64_t units) {
    cost_left -= units;
    return cost_left >= 0;
  }
};

// The error of an evaluation over budget.
Value CostLimitError(const Frame& f);

// The logical size of `v` in cost units (elements and entries, 16-byte blocks of strings, all
// the way down), counted no further than `cap`: measuring a value shared many times over never
// walks more than the budget that is left. Scalars cost nothing.
int64_t SizeCost(const Value& v, int64_t cap);

class Node {
 public:
  virtual ~Node() = default;
  virtual Value Eval(Frame& frame) const = 0;

  // Where the node's expression starts, so that errors it raises can be located.
  void set_offset(int32_t offset) { offset_ = offset; }

 protected:
  Value Located(Value v) const { return v.is_error() ? v.WithErrorOffset(offset_) : v; }
  int32_t offset_ = -1;
};
using NodePtr = std::unique_ptr<Node>;

class ConstNode : public Node {
 public:
  explicit ConstNode(Value v) : value_(std::move(v)) {}
  Value Eval(Frame&) const override { return value_; }

 private:
  Value value_;
};

class LocalNode : public Node {
 public:
  explicit LocalNode(int slot) : slot_(slot) {}
  Value Eval(Frame& f) const override { return f.locals[slot_]; }

 private:
  int slot_;
};

// A name, possibly qualified (a.b.c), resolved at run time against the activation: the longest
// bound prefix wins and the rest are field selections, as cel-spec's name resolution says.
class NameNode : public Node {
 public:
  struct Candidate {
    std::string name;
    std::vector<std::string> fields;  // selected from the bound value, in order
  };
  NameNode(std::string display, std::vector<Candidate> candidates, Value fallback)
      : display_(std::move(display)), candidates_(std::move(candidates)), fallback_(std::move(fallback)) {}
  Value Eval(Frame& f) const override;

 private:
  std::string display_;
  std::vector<Candidate> candidates_;
  Value fallback_;  // a type value for names such as int or list; an error otherwise
};

class SelectNode : public Node {
 public:
  SelectNode(NodePtr operand, std::string field, bool test_only)
      : operand_(std::move(operand)), field_(std::move(field)), test_only_(test_only) {}
  Value Eval(Frame& f) const override;

 private:
  NodePtr operand_;
  std::string field_;
  bool test_only_;
};

// has(name.field) of a bound variable's field (not a comprehension variable's): asked of the
// activation first (Activation::FindField), which may answer without building the variable's
// map; otherwise as SelectNode's test of `operand`, the name's node.
class HasFieldNode : public Node {
 public:
  HasFieldNode(NodePtr operand, std::string name, std::string field)
      : operand_(std::move(operand)), name_(std::move(name)), field_(std::move(field)) {}
  Value Eval(Frame& f) const override;

 private:
  NodePtr operand_;
  std::string name_, field_;
};

// A strict function call: errors and unknowns in arguments propagate, else `impl` runs.
class CallNode : public Node {
 public:
  CallNode(std::string name, FunctionImpl impl, std::vector<NodePtr> args)
      : name_(std::move(name)), impl_(impl), cost_(CostOf(impl)), args_(std::move(args)) {}
  Value Eval(Frame& f) const override;

 private:
  // Charges what the call read and built; false when that overspends the budget.
  [[nodiscard]] bool ChargeCall(Frame& f, const Value* args, size_t n, const Value& result) const;

  std::string name_;
  FunctionImpl impl_;  // nullptr: no such function; evaluates to an error after the arguments
  CallCost cost_;
  std::vector<NodePtr> args_;
};

// matches() with a constant pattern, compiled once. A pattern that does not compile is an
// error of this call alone, raised when it is evaluated (a branch of && or ?: that is never
// taken never raises it), as when the pattern is computed.
class MatchesNode : public Node {
 public:
  MatchesNode(NodePtr target, std::unique_ptr<RE2> re) : target_(std::move(target)), re_(std::move(re)) {}
  Value Eval(Frame& f) const override;

 private:
  NodePtr target_;
  std::unique_ptr<RE2> re_;  // !re_->ok(): the pattern is invalid
};

// `x in [c1, c2, ...]` with a list literal of constants, the commonest test in policy
// conditions: compares against the constants directly, without materialising the list value or
// going through a generic call.
class InConstListNode : public Node {
 public:
  InConstListNode(NodePtr needle, ValueList items) : needle_(std::move(needle)), items_(std::move(items)) {}
  Value Eval(Frame& f) const override;

 private:
  NodePtr needle_;
  ValueList items_;
};

class LogicalNode : public Node {
 public:
  LogicalNode(bool is_and, NodePtr left, NodePtr right)
      : is_and_(is_and), left_(std::move(left)), right_(std::move(right)) {}
  Value Eval(Frame& f) const override;

 private:
  bool is_and_;
  NodePtr left_, right_;
};

class TernaryNode : public Node {
 public:
  TernaryNode(NodePtr c, NodePtr a, NodePtr b) : cond_(std::move(c)), then_(std::move(a)), else_(std::move(b)) {}
  Value Eval(Frame& f) const override;

 private:
  NodePtr cond_, then_, else_;
};

class EqualsNode : public Node {
 public:
  EqualsNode(bool negate, NodePtr left, NodePtr right)
      : negate_(negate), left_(std::move(left)), right_(std::move(right)) {}
  Value Eval(Frame& f) const override;

 private:
  bool negate_;
  NodePtr left_, right_;
};

class ListNode : public Node {
 public:
  explicit ListNode(std::vector<NodePtr> elems) : elems_(std::move(elems)) {}
  Value Eval(Frame& f) const override;

 private:
  std::vector<NodePtr> elems_;
};

class MapNode : public Node {
 public:
  MapNode(std::vector<NodePtr> keys, std::vector<NodePtr> values)
      : keys_(std::move(keys)), values_(std::move(values)) {}
  Value Eval(Frame& f) const override;

 private:
  std::vector<NodePtr> keys_, values_;
};

class ComprehensionNode : public Node {
 public:
  ComprehensionNode(MacroKind macro, NodePtr range, int slot1, int slot2, NodePtr predicate, NodePtr transform)
      : macro_(macro),
        range_(std::move(range)),
        slot1_(slot1),
        slot2_(slot2),
        predicate_(std::move(predicate)),
        transform_(std::move(transform)) {}
  Value Eval(Frame& f) const override;

 private:
  Value Run(Frame& f) const;
  void Bind(Frame& f, const Value& range, size_t i) const;
  [[nodiscard]] bool Selected(Frame& f, Value* out) const;
  Value RunQuantifier(Frame& f, const Value& range) const;
  Value RunExistsOne(Frame& f, const Value& range) const;
  Value RunList(Frame& f, const Value& range) const;
  Value RunMap(Frame& f, const Value& range) const;

  MacroKind macro_;
  NodePtr range_;
  int slot1_;  // the variable of one-variable macros; the index or key of two-variable ones
  int slot2_;  // the value of two-variable macros, or -1
  NodePtr predicate_;
  NodePtr transform_;
};

// Combines exceptional values the way CEL does: unknowns merge and win over errors; otherwise
// the first error stands.
class Exceptions {
 public:
  void Add(const Value& v);
  bool any() const { return has_unknown_ || has_error_; }
  Value Result() const;

 private:
  bool has_unknown_ = false;
  bool has_error_ = false;
  std::vector<std::string> unknowns_;
  Value error_;
};

}  // namespace qgrant::expr::internal
