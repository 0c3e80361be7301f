#include "expr/eval_nodes.h"

#include <algorithm>

namespace qgrant::expr::internal {

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
    if (!c.fields.empty() && f.activation->FindField(c.name, c.fields[0], &field_value)) {
      v = &field_value;
      first_field = 1;
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
  return Located(impl_(vals, n));
}

Value MatchesNode::Eval(Frame& f) const {
  Value t = target_->Eval(f);
  if (t.is_exceptional()) return t;
  if (t.kind() != Kind::kString) return Located(NoSuchOverload("matches", &t, 1));
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
  return Value::List(std::move(items));
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
  return Value::Map(std::move(map));
}

Value ComprehensionNode::Eval(Frame& f) const { return Located(Run(f)); }

Value ComprehensionNode::Run(Frame& f) const {
  Value range = range_->Eval(f);
  if (range.is_exceptional()) return range;
  if (range.kind() != Kind::kList && range.kind() != Kind::kMap) {
    return Value::Error("comprehension over " + range.TypeName() + ": expected a list or map");
  }
  const bool is_list = range.kind() == Kind::kList;
  const size_t n = is_list ? range.list_value().size() : range.map_value().size();
  // Binds the variables for element i. One-variable macros see the element (list) or key (map);
  // two-variable ones see index and element, or key and value.
  auto bind = [&](size_t i) {
    if (is_list) {
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
  };
  auto non_bool = [](const Value& p) {
    return NoSuchOverload("predicate", &p, 1);
  };

  switch (macro_) {
    case MacroKind::kAll:
    case MacroKind::kExists: {
      const bool stop_on = macro_ == MacroKind::kExists;  // exists stops at true, all at false
      Exceptions ex;
      for (size_t i = 0; i < n; ++i) {
        bind(i);
        Value p = predicate_->Eval(f);
        if (p.kind() == Kind::kBool) {
          if (p.bool_value() == stop_on) return p;
        } else {
          ex.Add(p.is_exceptional() ? p : non_bool(p));
        }
      }
      if (ex.any()) return ex.Result();
      return Value::Bool(!stop_on);
    }
    case MacroKind::kExistsOne: {
      int64_t count = 0;
      for (size_t i = 0; i < n; ++i) {
        bind(i);
        Value p = predicate_->Eval(f);
        if (p.kind() != Kind::kBool) return p.is_exceptional() ? p : non_bool(p);
        if (p.bool_value()) ++count;
      }
      return Value::Bool(count == 1);
    }
    case MacroKind::kMap:
    case MacroKind::kFilter: {
      ValueList out;
      for (size_t i = 0; i < n; ++i) {
        bind(i);
        if (predicate_) {
          Value p = predicate_->Eval(f);
          if (p.kind() != Kind::kBool) return p.is_exceptional() ? p : non_bool(p);
          if (!p.bool_value()) continue;
        }
        if (macro_ == MacroKind::kFilter) {
          out.push_back(f.locals[slot2_ < 0 ? slot1_ : slot2_]);
        } else {
          Value v = transform_->Eval(f);
          if (v.is_exceptional()) return v;
          out.push_back(std::move(v));
        }
      }
      return Value::List(std::move(out));
    }
    case MacroKind::kTransformMap:
    case MacroKind::kTransformMapEntry: {
      std::vector<std::pair<Value, Value>> out;
      for (size_t i = 0; i < n; ++i) {
        bind(i);
        if (predicate_) {
          Value p = predicate_->Eval(f);
          if (p.kind() != Kind::kBool) return p.is_exceptional() ? p : non_bool(p);
          if (!p.bool_value()) continue;
        }
        Value v = transform_->Eval(f);
        if (v.is_exceptional()) return v;
        if (macro_ == MacroKind::kTransformMap) {
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
  }
  return Value::Error("unknown comprehension");
}

}  // namespace qgrant::expr::internal
