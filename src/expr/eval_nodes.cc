#include "expr/eval_nodes.h"

#include <algorithm>

namespace qgrant::expr::internal {

Value CostLimitError(const Frame& f) {
  return Value::Error(std::string(kCostLimitMessage) + " (" + std::to_string(f.max_cost) + ")");
}

int64_t SizeCost(const Value& v, int64_t cap) {
  constexpr int64_t kBytesPerUnit = 16;
  switch (v.kind()) {
    case Kind::kString:
    case Kind::kBytes:
      return static_cast<int64_t>(v.string_value().size()) / kBytesPerUnit;
    case Kind::kList: {
      const ValueList& items = v.list_value();
      int64_t total = static_cast<int64_t>(items.size());
      for (size_t i = 0; i < items.size() && total <= cap; ++i) total += SizeCost(items[i], cap - total);
      return total;
    }
    case Kind::kMap: {
      const auto& entries = v.map_value().entries();
      int64_t total = static_cast<int64_t>(entries.size());
      for (size_t i = 0; i < entries.size() && total <= cap; ++i) {
        total += SizeCost(entries[i].first, cap - total);
        if (total <= cap) total += SizeCost(entries[i].second, cap - total);
      }
      return total;
    }
    default:
      return 0;
  }
}

void Exceptions::Add(const Value& v) {
  if (v.is_unknown()) {
    has_unknown_ = true;
    for (const auto& a : v.unknown_attributes()) {
      if (std::find(unknowns_.begin(), unknowns_.end(), a) == unknowns_.end()) unknowns_.push_back(a);
    }
  } else if (v.is_error() && !has_error_) {
    has_error_ = true;
    error_ = v;
  }
}

Value Exceptions::Result() const {
  if (has_unknown_) return Value::Unknown(unknowns_);
  return error_;
}

namespace {

Value SelectField(const Value& operand, const std::string& field, bool test_only) {
  if (operand.is_exceptional()) return operand;
  if (operand.kind() != Kind::kMap) {
    return Value::Error("type '" + operand.TypeName() + "' has no field '" + field + "'");
  }
  const Value* v = operand.map_value().FindString(field);
  if (test_only) {
    // A field known to exist with an unknown value (a fact a record does not give) might as
    // well be absent: has() of it is unknown too, not true.
    if (v != nullptr && v->is_unknown()) return *v;
    return Value::Bool(v != nullptr);
  }
  if (v == nullptr) return Value::Error("no such key: " + field);
  return *v;
}

}  // namespace

Value NameNode::Eval(Frame& f) const {
  for (const Candidate& c : candidates_) {
    size_t first_field = 0;
    Value field_value;
    const Value* v = nullptr;
    const Activation::Field field =
        c.fields.empty() ? Activation::Field::kNotOffered : f.activation->FindField(c.name, c.fields[0], &field_value);
    if (field == Activation::Field::kFound) {
      v = &field_value;
      first_field = 1;
    } else if (field == Activation::Field::kAbsent) {
      return Located(Value::Error("no such key: " + c.fields[0]));
    } else {
      v = f.activation->Find(c.name);
    }
    if (v == nullptr) continue;
    // Walk map fields by pointer and copy only the value selected at the end: every copy of a
    // Value with a payload is an atomic reference count increment.
    const Value* cur = v;
    for (size_t i = first_field; i < c.fields.size(); ++i) {
      if (cur->kind() != Kind::kMap) {
        // Not a map (or an error or unknown): SelectField gives the error or passes it on.
        Value rest = *cur;
        for (; i < c.fields.size(); ++i) rest = SelectField(rest, c.fields[i], false);
        return Located(std::move(rest));
      }
      const Value* next = cur->map_value().FindString(c.fields[i]);
      if (next == nullptr) return Located(Value::Error("no such key: " + c.fields[i]));
      cur = next;
    }
    return Located(*cur);
  }
  return Located(fallback_);
}

Value SelectNode::Eval(Frame& f) const { return Located(SelectField(operand_->Eval(f), field_, test_only_)); }

Value HasFieldNode::Eval(Frame& f) const {
  Value v;
  switch (f.activation->FindField(name_, field_, &v)) {
    case Activation::Field::kFound:
      return v.is_unknown() ? v : Value::Bool(true);  // as SelectField's test of a known field
    case Activation::Field::kAbsent:
      return Value::Bool(false);
    case Activation::Field::kNotOffered:
      break;
  }
  return Located(SelectField(operand_->Eval(f), field_, true));
}

Value CallNode::Eval(Frame& f) const {
  size_t n = args_.size();
  Value small[4];
  std::vector<Value> large;
  Value* vals = small;
  if (n > 4) {
    large.resize(n);
    vals = large.data();
  }
  bool exceptional = false;
  for (size_t i = 0; i < n; ++i) {
    vals[i] = args_[i]->Eval(f);
    exceptional |= vals[i].is_exceptional();
  }
  if (exceptional) {
    // Rare: only now pay for combining errors and unknowns.
    Exceptions ex;
    for (size_t i = 0; i < n; ++i) ex.Add(vals[i]);
    return ex.Result();
  }
  if (impl_ == nullptr) return Located(NoSuchOverload(name_, vals, n));
  Value result = impl_(vals, n);
  if (!ChargeCall(f, vals, n, result)) return Located(CostLimitError(f));
  return Located(std::move(result));
}

bool CallNode::ChargeCall(Frame& f, const Value* args, size_t n, const Value& result) const {
  switch (cost_) {
    case CallCost::kNone:
      return true;
    case CallCost::kStringArgument:
      return args[0].kind() != Kind::kString || f.Charge(SizeCost(args[0], f.cost_left));
    case CallCost::kMembership:
      if (!f.Charge(SizeCost(args[0], f.cost_left))) return false;
      return args[1].kind() != Kind::kList || f.Charge(SizeCost(args[1], f.cost_left));
    case CallCost::kArgumentsAndResult:
      for (size_t i = 0; i < n; ++i) {
        if (!f.Charge(SizeCost(args[i], f.cost_left))) return false;
      }
      return result.is_exceptional() || f.Charge(SizeCost(result, f.cost_left));
  }
  return true;
}

Value MatchesNode::Eval(Frame& f) const {
  Value t = target_->Eval(f);
  if (t.is_exceptional()) return t;
  if (t.kind() != Kind::kString) return Located(NoSuchOverload("matches", &t, 1));
  if (!re_->ok()) return Located(Value::Error("invalid regular expression: " + re_->error()));
  if (!f.Charge(SizeCost(t, f.cost_left))) return Located(CostLimitError(f));
  return Value::Bool(RE2::PartialMatch(t.string_value(), *re_));
}

Value InConstListNode::Eval(Frame& f) const {
  Value x = needle_->Eval(f);
  if (x.is_exceptional()) return x;
  for (const Value& item : items_) {
    if (EqualValues(x, item)) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Value LogicalNode::Eval(Frame& f) const {
  // The short-circuit value: false for &&, true for ||. It absorbs errors on either side.
  const bool absorbing = !is_and_;
  Value l = left_->Eval(f);
  if (l.kind() == Kind::kBool && l.bool_value() == absorbing) return l;
  Value r = right_->Eval(f);
  if (r.kind() == Kind::kBool && r.bool_value() == absorbing) return r;
  if (l.kind() == Kind::kBool && r.kind() == Kind::kBool) return r;
  Exceptions ex;
  ex.Add(l);
  ex.Add(r);
  if (ex.any()) return ex.Result();
  Value both[2] = {l, r};
  return Located(NoSuchOverload(is_and_ ? "_&&_" : "_||_", both, 2));
}

Value TernaryNode::Eval(Frame& f) const {
  Value c = cond_->Eval(f);
  if (c.kind() == Kind::kBool) return c.bool_value() ? then_->Eval(f) : else_->Eval(f);
  if (c.is_exceptional()) return c;
  return Located(NoSuchOverload("_?_:_", &c, 1));
}

Value EqualsNode::Eval(Frame& f) const {
  Value l = left_->Eval(f);
  Value r = right_->Eval(f);
  if (l.is_exceptional() || r.is_exceptional()) {
    Exceptions ex;
    ex.Add(l);
    ex.Add(r);
    return ex.Result();
  }
  // Comparing lists, maps or long strings walks them; scalars and short strings cost nothing.
  if (!f.Charge(SizeCost(l, f.cost_left)) || !f.Charge(SizeCost(r, f.cost_left))) return Located(CostLimitError(f));
  return Value::Bool(EqualValues(l, r) != negate_);
}

Value ListNode::Eval(Frame& f) const {
  ValueList items;
  items.reserve(elems_.size());
  Exceptions ex;
  for (const auto& e : elems_) {
    items.push_back(e->Eval(f));
    if (items.back().is_exceptional()) ex.Add(items.back());
  }
  if (ex.any()) return ex.Result();
  Value list = Value::List(std::move(items));
  if (!f.Charge(SizeCost(list, f.cost_left))) return Located(CostLimitError(f));
  return list;
}

Value MapNode::Eval(Frame& f) const {
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(keys_.size());
  Exceptions ex;
  for (size_t i = 0; i < keys_.size(); ++i) {
    Value k = keys_[i]->Eval(f);
    Value v = values_[i]->Eval(f);
    if (k.is_exceptional()) ex.Add(k);
    if (v.is_exceptional()) ex.Add(v);
    entries.emplace_back(std::move(k), std::move(v));
  }
  if (ex.any()) return ex.Result();
  std::string error;
  auto map = MapValue::Make(std::move(entries), &error);
  if (!map) return Located(Value::Error(error));
  Value result = Value::Map(std::move(map));
  if (!f.Charge(SizeCost(result, f.cost_left))) return Located(CostLimitError(f));
  return result;
}

Value ComprehensionNode::Eval(Frame& f) const { return Located(Run(f)); }

void ComprehensionNode::Bind(Frame& f, const Value& range, size_t i) const {
  // One-variable macros see the element (list) or key (map); two-variable ones see index and
  // element, or key and value.
  if (range.kind() == Kind::kList) {
    const Value& elem = range.list_value()[i];
    if (slot2_ < 0) {
      f.locals[slot1_] = elem;
    } else {
      f.locals[slot1_] = Value::Int(static_cast<int64_t>(i));
      f.locals[slot2_] = elem;
    }
  } else {
    const auto& entry = range.map_value().entries()[i];
    f.locals[slot1_] = entry.first;
    if (slot2_ >= 0) f.locals[slot2_] = entry.second;
  }
}

Value ComprehensionNode::Run(Frame& f) const {
  Value range = range_->Eval(f);
  if (range.is_exceptional()) return range;
  if (range.kind() != Kind::kList && range.kind() != Kind::kMap) {
    return Value::Error("comprehension over " + range.TypeName() + ": expected a list or map");
  }
  switch (macro_) {
    case MacroKind::kAll:
    case MacroKind::kExists:
      return RunQuantifier(f, range);
    case MacroKind::kExistsOne:
      return RunExistsOne(f, range);
    case MacroKind::kMap:
    case MacroKind::kFilter:
      return RunList(f, range);
    case MacroKind::kTransformMap:
    case MacroKind::kTransformMapEntry:
      return RunMap(f, range);
  }
  return Value::Error("unknown comprehension");
}

namespace {

size_t RangeSize(const Value& range) {
  return range.kind() == Kind::kList ? range.list_value().size() : range.map_value().size();
}

Value NonBool(const Value& p) { return NoSuchOverload("predicate", &p, 1); }

}  // namespace

// all() and exists(): exists stops at the first true, all at the first false; errors on other
// elements are absorbed by such a decisive one.
Value ComprehensionNode::RunQuantifier(Frame& f, const Value& range) const {
  const bool stop_on = macro_ == MacroKind::kExists;
  const size_t n = RangeSize(range);
  Exceptions ex;
  for (size_t i = 0; i < n; ++i) {
    if (!f.Charge(1)) return CostLimitError(f);
    Bind(f, range, i);
    Value p = predicate_->Eval(f);
    if (p.kind() == Kind::kBool) {
      if (p.bool_value() == stop_on) return p;
    } else {
      ex.Add(p.is_exceptional() ? p : NonBool(p));
    }
  }
  if (ex.any()) return ex.Result();
  return Value::Bool(!stop_on);
}

Value ComprehensionNode::RunExistsOne(Frame& f, const Value& range) const {
  const size_t n = RangeSize(range);
  int64_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!f.Charge(1)) return CostLimitError(f);
    Bind(f, range, i);
    Value p = predicate_->Eval(f);
    if (p.kind() != Kind::kBool) return p.is_exceptional() ? p : NonBool(p);
    if (p.bool_value()) ++count;
  }
  return Value::Bool(count == 1);
}

// Whether element i passes the optional filter: true, false, or (in *out) its error.
bool ComprehensionNode::Selected(Frame& f, Value* out) const {
  if (!predicate_) return true;
  Value p = predicate_->Eval(f);
  if (p.kind() == Kind::kBool) return p.bool_value();
  *out = p.is_exceptional() ? p : NonBool(p);
  return false;
}

// map(), filter() and transformList(): each element kept is charged with its size as it is
// added, so a list that would outgrow the budget stops growing there.
Value ComprehensionNode::RunList(Frame& f, const Value& range) const {
  const size_t n = RangeSize(range);
  ValueList out;
  for (size_t i = 0; i < n; ++i) {
    if (!f.Charge(1)) return CostLimitError(f);
    Bind(f, range, i);
    Value failed;
    if (!Selected(f, &failed)) {
      if (failed.is_exceptional()) return failed;
      continue;
    }
    Value v = macro_ == MacroKind::kFilter ? f.locals[slot2_ < 0 ? slot1_ : slot2_] : transform_->Eval(f);
    if (v.is_exceptional()) return v;
    if (!f.Charge(1 + SizeCost(v, f.cost_left))) return CostLimitError(f);
    out.push_back(std::move(v));
  }
  return Value::List(std::move(out));
}

// transformMap() and transformMapEntry(), charged as RunList.
Value ComprehensionNode::RunMap(Frame& f, const Value& range) const {
  const size_t n = RangeSize(range);
  std::vector<std::pair<Value, Value>> out;
  for (size_t i = 0; i < n; ++i) {
    if (!f.Charge(1)) return CostLimitError(f);
    Bind(f, range, i);
    Value failed;
    if (!Selected(f, &failed)) {
      if (failed.is_exceptional()) return failed;
      continue;
    }
    Value v = transform_->Eval(f);
    if (v.is_exceptional()) return v;
    if (!f.Charge(1 + SizeCost(v, f.cost_left))) return CostLimitError(f);
    if (macro_ == MacroKind::kTransformMap) {
      if (!f.Charge(SizeCost(f.locals[slot1_], f.cost_left))) return CostLimitError(f);
      out.emplace_back(f.locals[slot1_], std::move(v));
    } else {
      if (v.kind() != Kind::kMap) return Value::Error("transformMapEntry: expected a map entry, got " + v.TypeName());
      for (const auto& e : v.map_value().entries()) out.push_back(e);
    }
  }
  std::string error;
  auto map = MapValue::Make(std::move(out), &error);
  if (!map) return Value::Error(error);
  return Value::Map(std::move(map));
}

}  // namespace qgrant::expr::internal
