#include "engine/application.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "engine/uscc.h"
#include "policy/loader.h"

namespace qgrant::engine {

using policy::FactSpec;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

expr::Value DateValue(policy::Date d) { return expr::Value::Timestamp(d.days * 86400 - 8 * 3600, 0); }

namespace {

std::string JoinList(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

class Validator {
 public:
  Validator(Application* app, bool partial) : app_(app), partial_(partial) {}

  // A required field that is absent: an error, or in partial mode an unknown.
  void Absent(std::string_view p) {
    if (partial_) {
      app_->unknown.emplace_back(p);
    } else {
      Missing(p);
    }
  }

  // Paths are string views: they are built into messages only when something is wrong.
  void Add(std::string_view path, std::string code, std::string zh, std::string en) {
    app_->errors.push_back({std::string(path), std::move(code), {std::move(zh), std::move(en)}});
  }

  void Missing(std::string_view p) {
    std::string path(p);
    Add(path, "missing", "缺少必填字段 " + path, "required field " + path + " is missing");
  }
  void WrongType(std::string_view p, const char* want_zh, const char* want_en) {
    std::string path(p);
    Add(path, "wrong_type", "字段 " + path + " 应为" + want_zh, "field " + path + " must be " + want_en);
  }

  // A field of `obj`; null counts as absent.
  static bool Get(const object& obj, std::string_view key, element* out) {
    element e;
    if (obj[key].get(e) != simdjson::SUCCESS) return false;
    if (e.type() == element_type::NULL_VALUE) return false;
    *out = e;
    return true;
  }

  std::optional<std::string> String(const object& obj, std::string_view key, std::string_view path, bool required) {
    element e;
    if (!Get(obj, key, &e)) {
      if (required) Absent(path);
      return std::nullopt;
    }
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) {
      WrongType(path, "字符串", "a string");
      return std::nullopt;
    }
    if (required && s.empty()) {
      std::string p(path);
      Add(p, "empty", "字段 " + p + " 不能为空", "field " + p + " must not be empty");
      return std::nullopt;
    }
    return std::string(s);
  }

  std::optional<bool> Bool(const object& obj, std::string_view key, std::string_view path, bool required) {
    element e;
    if (!Get(obj, key, &e)) {
      if (required) Absent(path);
      return std::nullopt;
    }
    bool b;
    if (e.get_bool().get(b) != simdjson::SUCCESS) {
      WrongType(path, "布尔值（true 或 false）", "true or false");
      return std::nullopt;
    }
    return b;
  }

  std::optional<policy::Date> DateOf(const element& e, std::string_view p) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) {
      WrongType(p, "日期字符串 YYYY-MM-DD", "a date string YYYY-MM-DD");
      return std::nullopt;
    }
    policy::Date d;
    if (!policy::ParseDate(s, &d)) {
      std::string path(p);
      Add(path, "invalid_date", "字段 " + path + " 不是有效日期（YYYY-MM-DD）：" + std::string(s),
          "field " + path + " is not a real calendar date YYYY-MM-DD: " + std::string(s));
      return std::nullopt;
    }
    return d;
  }

  std::optional<policy::Date> Date(const object& obj, std::string_view key, std::string_view path, bool required) {
    element e;
    if (!Get(obj, key, &e)) {
      if (required) Absent(path);
      return std::nullopt;
    }
    return DateOf(e, path);
  }

  // A whole number >= 1 (an integral JSON number such as 5.0 counts as whole).
  std::optional<int64_t> PositiveInteger(const element& e, const std::string& path) {
    int64_t i;
    uint64_t u;
    double d;
    auto bad = [&] {
      Add(path, "not_positive_integer", "字段 " + path + " 应为不小于1的整数（分）",
          "field " + path + " must be a whole number of fen, at least 1");
      return std::nullopt;
    };
    if (e.get_int64().get(i) == simdjson::SUCCESS) {
      if (i < 1) return bad();
      return i;
    }
    if (e.get_uint64().get(u) == simdjson::SUCCESS) return bad();  // beyond int64
    if (e.get_double().get(d) == simdjson::SUCCESS) {
      if (!(d >= 1 && d <= 9007199254740992.0) || std::trunc(d) != d) return bad();
      return static_cast<int64_t>(d);
    }
    return bad();
  }

  // Converts and validates a fact against its declaration.
  expr::Value Fact(const element& e, const FactSpec& spec, const std::string& path) {
    switch (spec.type) {
      case FactSpec::Type::kString: {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS) {
          WrongType(path, "字符串", "a string");
          return expr::Value();
        }
        if (spec.required && s.empty()) {
          Add(path, "empty", "字段 " + path + " 不能为空", "field " + path + " must not be empty");
          return expr::Value();
        }
        if (!spec.enum_values.empty()) {
          auto it = std::find(spec.enum_values.begin(), spec.enum_values.end(), s);
          if (it == spec.enum_values.end()) {
            Add(path, "not_in_list", "字段 " + path + " 的值 " + std::string(s) + " 不在允许范围内（" + JoinList(spec.enum_values) + "）",
                "field " + path + " has value '" + std::string(s) + "', which is not one of: " + JoinList(spec.enum_values));
            return expr::Value();
          }
          return spec.enum_value_values[static_cast<size_t>(it - spec.enum_values.begin())];
        }
        return expr::Value::String(std::string(s));
      }
      case FactSpec::Type::kInt: {
        int64_t i;
        if (e.get_int64().get(i) != simdjson::SUCCESS) {
          WrongType(path, "整数", "a whole number");
          return expr::Value();
        }
        return expr::Value::Int(i);
      }
      case FactSpec::Type::kBool: {
        bool b;
        if (e.get_bool().get(b) != simdjson::SUCCESS) {
          WrongType(path, "布尔值", "true or false");
          return expr::Value();
        }
        return expr::Value::Bool(b);
      }
      case FactSpec::Type::kDate: {
        auto d = DateOf(e, path);
        return d ? DateValue(*d) : expr::Value();
      }
      case FactSpec::Type::kObject: {
        object obj;
        if (e.get_object().get(obj) != simdjson::SUCCESS) {
          WrongType(path, "对象", "an object");
          return expr::Value();
        }
        return Object(&obj, spec.fields, path + ".");
      }
      case FactSpec::Type::kList: {
        simdjson::dom::array arr;
        if (e.get_array().get(arr) != simdjson::SUCCESS) {
          WrongType(path, "列表", "a list");
          return expr::Value();
        }
        if (static_cast<int64_t>(arr.size()) < spec.min_items) {
          Add(path, spec.min_items == 1 ? "empty" : "too_few_items",
              "字段 " + path + " 至少需要 " + std::to_string(spec.min_items) + " 项",
              "field " + path + " needs at least " + std::to_string(spec.min_items) + " item(s)");
        }
        expr::ValueList items;
        size_t i = 0;
        for (element item : arr) {
          std::string ipath = path + "[" + std::to_string(i++) + "]";
          if (spec.list_of_objects) {
            object obj;
            if (item.get_object().get(obj) != simdjson::SUCCESS) {
              WrongType(ipath, "对象", "an object");
              continue;
            }
            items.push_back(Object(&obj, spec.fields, ipath + "."));
          } else if (!spec.fields.empty()) {
            items.push_back(Fact(item, spec.fields[0], ipath));
          }
        }
        return expr::Value::List(std::move(items));
      }
    }
    return expr::Value();
  }

  // `obj` null: the object is absent, so all its fields are.
  expr::Value Object(const object* obj, const std::vector<FactSpec>& specs, const std::string& prefix) {
    std::vector<std::pair<expr::Value, expr::Value>> entries;
    entries.reserve(specs.size());
    for (const auto& spec : specs) {
      element e;
      std::string path = prefix + spec.name;
      if (obj == nullptr || !Get(*obj, spec.name, &e)) {
        if (spec.required) Absent(path);
        // When screening, a record that does not mention a fact leaves it open, optional or not.
        if (partial_) {
          if (!spec.required) app_->unknown.push_back(path);
          entries.emplace_back(spec.name_value, expr::Value::Unknown({path}));
        }
        continue;
      }
      entries.emplace_back(spec.name_value, Fact(e, spec, path));
    }
    std::string err;
    return expr::Value::Map(expr::MapValue::Make(std::move(entries), &err));
  }

 private:
  Application* app_;
  bool partial_;
};

}  // namespace

ApplicationReader::ApplicationReader(const policy::RuleSet& rules, bool partial)
    : rules_(rules), partial_(partial), parser_(std::make_unique<simdjson::dom::parser>()) {}

ApplicationReader::~ApplicationReader() = default;

void ApplicationReader::Read(std::string_view line, Application* app) {
  *app = Application();
  app->partial = partial_;
  Validator v(app, partial_);
  buffer_.assign(line.data(), line.size());
  buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
  element doc;
  if (parser_->parse(buffer_.data(), line.size(), false).get(doc) != simdjson::SUCCESS) {
    v.Add("", "not_json", "该行不是有效的 JSON", "the line is not valid JSON");
    return;
  }
  object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    v.Add("", "not_object", "该行不是 JSON 对象", "the line is not a JSON object");
    return;
  }
  element e;
  if (Validator::Get(root, "id", &e)) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) {
      if (s.empty()) v.Add("id", "empty", "字段 id 不能为空", "field id must not be empty");
      app->id = std::string(s);
    } else {
      v.WrongType("id", "字符串", "a string");
    }
  } else {
    v.Missing("id");
  }

  object applicant;
  if (!Validator::Get(root, "applicant", &e)) {
    v.Missing("applicant");
  } else if (e.get_object().get(applicant) != simdjson::SUCCESS) {
    v.WrongType("applicant", "对象", "an object");
  } else {
    if (auto uscc = v.String(applicant, "uscc", "applicant.uscc", true)) {
      app->uscc = *uscc;
      switch (CheckUscc(*uscc)) {
        case UsccProblem::kNone: break;
        case UsccProblem::kLength:
          v.Add("applicant.uscc", "invalid_uscc", "统一社会信用代码应为18位，实际为" + std::to_string(uscc->size()) + "位",
                "the unified social credit code must have 18 characters, found " + std::to_string(uscc->size()));
          break;
        case UsccProblem::kCharacter:
          v.Add("applicant.uscc", "invalid_uscc", "统一社会信用代码含有 GB 32100 字符集以外的字符（须为数字或大写字母，不含 I、O、Z、S、V）",
                "the unified social credit code has a character outside the GB 32100 set (digits and upper-case letters except I, O, Z, S, V)");
          break;
        case UsccProblem::kCheckCharacter:
          v.Add("applicant.uscc", "invalid_uscc", "统一社会信用代码校验码错误（GB 32100-2015）",
                "the unified social credit code's check character is wrong (GB 32100-2015)");
          break;
      }
    }
    if (auto name = v.String(applicant, "name", "applicant.name", true)) app->name = *name;
    if (auto kind = v.String(applicant, "kind", "applicant.kind", true)) {
      const auto& kinds = policy::ApplicantKinds();
      if (std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
        v.Add("applicant.kind", "not_in_list", "单位类型 " + *kind + " 不在允许范围内（" + JoinList(kinds) + "）",
              "applicant kind '" + *kind + "' is not one of: " + JoinList(kinds));
      } else {
        app->kind = *kind;
      }
    }
    if (auto b = v.Bool(applicant, "registered_in_shenzhen", "applicant.registered_in_shenzhen", true)) {
      app->registered_in_shenzhen = *b;
    }
    if (auto b = v.Bool(applicant, "serious_dishonesty", "applicant.serious_dishonesty", true)) {
      app->serious_dishonesty = *b;
    }
    app->established_on = v.Date(applicant, "established_on", "applicant.established_on", false);
    if (auto d = v.String(applicant, "district", "applicant.district", false)) app->district = *d;
  }

  const policy::Measure* measure = nullptr;
  // The measure is what the record is about: without it nothing can be screened either.
  if (!Validator::Get(root, "measure", &e)) {
    v.Missing("measure");
  } else if (auto m = v.String(root, "measure", "measure", true)) {
    app->measure = *m;
    measure = rules_.FindMeasure(*m);
    if (measure == nullptr && rules_.cancelled.count(*m) == 0) {
      std::vector<std::string> ids;
      for (const auto* pm : rules_.measures) ids.push_back(pm->id);
      v.Add("measure", "unknown_measure", "未知的措施 " + *m + "（可选：" + JoinList(ids) + "）",
            "unknown measure '" + *m + "' (known: " + JoinList(ids) + ")");
    }
  }
  if (auto s = v.String(root, "subject", "subject", true)) app->subject = *s;
  if (auto d = v.Date(root, "obtained_on", "obtained_on", true)) app->obtained_on = *d;
  if (Validator::Get(root, "requested_fen", &e)) app->requested_fen = v.PositiveInteger(e, "requested_fen");

  object facts;
  bool has_facts = false;
  if (Validator::Get(root, "facts", &e)) {
    if (e.get_object().get(facts) != simdjson::SUCCESS) {
      v.WrongType("facts", "对象", "an object");
    } else {
      has_facts = true;
    }
  }
  if (measure == nullptr) {
    app->facts = expr::Value::Map(expr::MapValue::Make({}, nullptr));
    return;
  }
  app->facts = v.Object(has_facts ? &facts : nullptr, measure->facts, "facts.");
  if (!app->errors.empty()) return;
  if (!measure->level_fact.empty()) {
    if (const expr::Value* l = app->facts.map_value().FindString(measure->level_fact)) {
      if (l->kind() == expr::Kind::kString) app->level = l->string_value();
    }
  }
  if (measure->once == policy::OnceRule::kPerItem) {
    const expr::Value* list = app->facts.map_value().FindString(measure->items_fact);
    if (list != nullptr && list->kind() == expr::Kind::kList) {
      for (const auto& item : list->list_value()) {
        Item it;
        if (item.kind() != expr::Kind::kMap) continue;
        if (const expr::Value* k = item.map_value().FindString(measure->item_key)) {
          if (k->kind() == expr::Kind::kString) it.key = k->string_value();
        }
        if (const expr::Value* t = item.map_value().FindString("type")) {
          if (t->kind() == expr::Kind::kString) it.type = t->string_value();
        }
        app->items.push_back(std::move(it));
      }
    }
  }
}

}  // namespace qgrant::engine
