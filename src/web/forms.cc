#include "web/forms.h"

#include <algorithm>
#include <cctype>

#include "policy/words.h"
#include "web/html.h"

namespace qgrant::web {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string ErrorId(std::string_view name) { return FieldId(name) + "-err"; }

// The error paragraph and the attributes that tie it to its control.
struct Problem {
  std::string paragraph, attrs, css;
};

Problem ProblemFor(std::string_view name, const Errors& errors, std::string_view hint_id) {
  Problem p;
  std::string described(hint_id);
  auto it = errors.find(std::string(name));
  if (it != errors.end()) {
    p.paragraph = "<p class=\"error-text\" id=\"" + ErrorId(name) + "\">" + Esc(it->second) + "</p>";
    described += (described.empty() ? "" : " ") + ErrorId(name);
    p.attrs = " aria-invalid=\"true\"";
    p.css = " has-error";
  }
  if (!described.empty()) p.attrs += " aria-describedby=\"" + described + "\"";
  return p;
}

std::string RequiredMark(bool required) { return required ? " <span class=\"req\" aria-hidden=\"true\">*</span>" : ""; }

}  // namespace

Form Form::Parse(std::string_view encoded) {
  Form f;
  while (!encoded.empty()) {
    const size_t end = encoded.find('&');
    std::string_view pair = encoded.substr(0, end);
    encoded = end == std::string_view::npos ? std::string_view() : encoded.substr(end + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    f.fields_.emplace_back(Decode(pair.substr(0, eq)), eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1)));
  }
  return f;
}

Form Form::FromQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  Form f;
  f.fields_ = query;
  return f;
}

const std::string& Form::Get(std::string_view name) const {
  static const std::string kNone;
  for (const auto& [k, v] : fields_) {
    if (k == name) return v;
  }
  return kNone;
}

bool Form::Has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(), [&](const auto& kv) { return kv.first == name; });
}

void Form::Set(std::string name, std::string value) {
  for (auto& [k, v] : fields_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  fields_.emplace_back(std::move(name), std::move(value));
}

std::string FieldId(std::string_view name) {
  std::string id = "f-";
  for (unsigned char c : name) {
    if (std::isalnum(c)) {
      id += static_cast<char>(c);
    } else if (c == '_') {
      id += '_';
    } else if (id.back() != '-') {
      id += '-';
    }
  }
  while (id.back() == '-') id.pop_back();
  return id;
}

std::string InputField(std::string_view name, std::string_view label, std::string_view type, std::string_view value,
                       const Errors& errors, bool required, std::string_view attrs, std::string_view hint) {
  const std::string id = FieldId(name);
  const std::string hint_id = hint.empty() ? "" : id + "-hint";
  Problem p = ProblemFor(name, errors, hint_id);
  std::string out =
      "<div class=\"field" + p.css + "\"><label for=\"" + id + "\">" + Esc(label) + RequiredMark(required) + "</label>";
  if (!hint.empty()) out += "<p class=\"hint\" id=\"" + hint_id + "\">" + Esc(hint) + "</p>";
  out += p.paragraph + "<input id=\"" + id + "\" name=\"" + Esc(name) + "\" type=\"" + Esc(type) + "\" value=\"" +
         Esc(value) + "\"" + (required ? " required aria-required=\"true\"" : "") + p.attrs +
         (attrs.empty() ? "" : " " + std::string(attrs)) + "></div>";
  return out;
}

std::string SelectField(std::string_view name, std::string_view label,
                        const std::vector<std::pair<std::string, std::string>>& options, std::string_view value,
                        const Errors& errors, bool required) {
  const std::string id = FieldId(name);
  Problem p = ProblemFor(name, errors, "");
  std::string out = "<div class=\"field" + p.css + "\"><label for=\"" + id + "\">" + Esc(label) +
                    RequiredMark(required) + "</label>" + p.paragraph + "<select id=\"" + id + "\" name=\"" +
                    Esc(name) + "\"" + (required ? " required aria-required=\"true\"" : "") + p.attrs +
                    "><option value=\"\"></option>";
  for (const auto& [v, text] : options) {
    out += "<option value=\"" + Esc(v) + "\"" + (v == value ? " selected" : "") + ">" + Esc(text) + "</option>";
  }
  return out + "</select></div>";
}

std::string RadioField(std::string_view name, std::string_view legend,
                       const std::vector<std::pair<std::string, std::string>>& options, std::string_view value,
                       const Errors& errors, bool required) {
  const std::string id = FieldId(name);
  Problem p = ProblemFor(name, errors, "");
  // The group's id is the field's, so that the error summary's link reaches it.
  std::string out = "<fieldset id=\"" + id + "\" tabindex=\"-1\" class=\"field radios" + p.css + "\"" + p.attrs +
                    "><legend>" + Esc(legend) + RequiredMark(required) + "</legend>" + p.paragraph;
  int i = 0;
  for (const auto& [v, text] : options) {
    const std::string option_id = id + "-" + std::to_string(i++);
    out += "<span class=\"radio\"><input type=\"radio\" id=\"" + option_id + "\" name=\"" + Esc(name) + "\" value=\"" +
           Esc(v) + "\"" + (v == value ? " checked" : "") + (required ? " required" : "") + "><label for=\"" +
           option_id + "\">" + Esc(text) + "</label></span>";
  }
  return out + "</fieldset>";
}

std::string TextAreaField(std::string_view name, std::string_view label, std::string_view value, const Errors& errors,
                          bool required, std::string_view hint) {
  const std::string id = FieldId(name);
  const std::string hint_id = hint.empty() ? "" : id + "-hint";
  Problem p = ProblemFor(name, errors, hint_id);
  std::string out =
      "<div class=\"field" + p.css + "\"><label for=\"" + id + "\">" + Esc(label) + RequiredMark(required) + "</label>";
  if (!hint.empty()) out += "<p class=\"hint\" id=\"" + hint_id + "\">" + Esc(hint) + "</p>";
  return out + p.paragraph + "<textarea id=\"" + id + "\" name=\"" + Esc(name) + "\" rows=\"4\"" +
         (required ? " required aria-required=\"true\"" : "") + p.attrs + ">" + Esc(value) + "</textarea></div>";
}

std::string ErrorSummary(const Errors& errors, const std::vector<std::string>& fields_on_form, bool en) {
  if (errors.empty()) return "";
  std::string out = "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\"><h2>" +
                    std::string(Tr(en, "请修改以下问题", "There is a problem")) + "</h2><ul>";
  for (const auto& [field, message] : errors) {
    const bool on_form = std::find(fields_on_form.begin(), fields_on_form.end(), field) != fields_on_form.end();
    // A radio group is linked through its fieldset, which carries the field's id.
    if (on_form) {
      out += "<li><a href=\"#" + FieldId(field) + "\">" + Esc(message) + "</a></li>";
    } else {
      out += "<li>" + (field.empty() ? "" : "<code>" + Esc(field) + "</code> ") + Esc(message) + "</li>";
    }
  }
  return out + "</ul></div>";
}

std::string FactLabel(std::string_view name, bool en) {
  // The words of facts declared without a label (the policy's `label` comes first, FactSpecLabel);
  // an unnamed fact shows its own name.
  static const std::pair<const char*, std::pair<const char*, const char*>> kWords[] = {
      {"level", {"级别", "Level"}},
      {"grade", {"等次", "Grade"}},
      {"category", {"类别", "Category"}},
      {"certificates", {"认证证书", "Certificates"}},
      {"type", {"类型", "Type"}},
      {"number", {"证书编号", "Number"}},
      {"issued_on", {"发证日期", "Issued on"}},
      {"scheme", {"认证类型", "Scheme"}},
      {"kind", {"类别", "Kind"}},
      {"activity", {"项目类型", "Activity"}},
      {"role", {"承担角色", "Role"}},
      {"body", {"认可机构", "Accreditation body"}},
      {"maturity", {"成熟度", "Maturity"}},
      {"standard", {"评价标准", "Standard"}}};
  for (const auto& [n, words] : kWords) {
    if (n == name) return en ? words.second : words.first;
  }
  return std::string(name);
}

const nlohmann::json* FindFactSpec(const nlohmann::json& facts, std::string_view name) {
  if (!facts.is_array()) return nullptr;
  for (const auto& f : facts) {
    if (f.is_object() && f.value("name", "") == name) return &f;
  }
  return nullptr;
}

namespace {

// The text of `names[key]` ({zh, en}) in the visitor's language; "" when there is none.
std::string NameIn(const nlohmann::json& names, const std::string& key, bool en) {
  if (!names.is_object() || !names.contains(key) || !names[key].is_object()) return "";
  const nlohmann::json& text = names[key][en ? "en" : "zh"];
  return text.is_string() ? text.get<std::string>() : "";
}

}  // namespace

std::string FactSpecLabel(const nlohmann::json& spec, bool en) {
  const std::string name = spec.is_object() ? spec.value("name", "") : "";
  if (spec.is_object() && spec.contains("label")) {
    if (std::string label = NameIn(spec, "label", en); !label.empty()) return label;
  }
  return FactLabel(name, en);
}

std::string FactValueName(const nlohmann::json& spec, const nlohmann::json& measure, const std::string& value,
                          bool en) {
  if (spec.is_object() && spec.contains("value_names")) {
    if (std::string name = NameIn(spec["value_names"], value, en); !name.empty()) return name;
  }
  if (measure.is_object() && measure.contains("level_names")) {
    if (std::string name = NameIn(measure["level_names"], value, en); !name.empty()) return name;
  }
  return value;
}

namespace {

using nlohmann::json;

std::vector<std::pair<std::string, std::string>> ValueOptions(const json& spec, const json& measure, bool en) {
  std::vector<std::pair<std::string, std::string>> options;
  for (const auto& v : spec["values"]) {
    const std::string value = v.get<std::string>();
    options.emplace_back(value, FactValueName(spec, measure, value, en));
  }
  return options;
}

std::vector<std::pair<std::string, std::string>> YesNo(bool en) {
  return {{"true", Tr(en, "是", "Yes")}, {"false", Tr(en, "否", "No")}};
}

// One control for a declared fact (or an item field) named `path`.
std::string FactControl(const json& spec, const std::string& path, const std::string& label, const json& measure,
                        const Form& values, const Errors& errors, bool en, std::vector<std::string>* names) {
  const std::string type = spec.value("type", "string");
  const bool required = spec.value("required", false);
  names->push_back(path);
  const std::string& value = values.Get(path);
  if (spec.contains("values")) {
    auto options = ValueOptions(spec, measure, en);
    if (options.size() <= 5) return RadioField(path, label, options, value, errors, required);
    return SelectField(path, label, options, value, errors, required);
  }
  if (type == "boolean") return RadioField(path, label, YesNo(en), value, errors, required);
  if (type == "integer")
    return InputField(path, label, "number", value, errors, required, "inputmode=\"numeric\" step=\"1\"");
  if (type == "date") return InputField(path, label, "date", value, errors, required);
  return InputField(path, label, "text", value, errors, required);
}

// How many rows of list fact `path` the values hold (rows with any value).
int RowsIn(const Form& values, const std::string& path) {
  int rows = 0;
  const std::string prefix = path + "[";
  for (const auto& [k, v] : values.fields()) {
    if (k.rfind(prefix, 0) != 0) continue;
    rows = std::max(rows, std::atoi(k.c_str() + prefix.size()) + 1);
  }
  return rows;
}

json Typed(const json& spec, const std::string& value) {
  const std::string type = spec.value("type", "string");
  if (type == "boolean") return value == "true";
  if (type == "integer") {
    // Digits only: anything else goes to the API as text, which names the field.
    if (!value.empty() && value.size() < 16 &&
        value.find_first_not_of("0123456789", value[0] == '-' ? 1 : 0) == std::string::npos && value != "-") {
      return std::stoll(value);
    }
  }
  return value;
}

std::string Trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

}  // namespace

std::string ContractFieldLabel(std::string_view path, bool en) {
  static const std::pair<const char*, std::pair<const char*, const char*>> kWords[] = {
      {"applicant.uscc", {"统一社会信用代码", "Unified social credit code (USCC)"}},
      {"applicant.name", {"单位名称", "Name of the unit"}},
      {"applicant.kind", {"单位类型", "Kind of unit"}},
      {"applicant.registered_in_shenzhen", {"是否在深圳市注册登记", "Registered in Shenzhen?"}},
      {"applicant.serious_dishonesty", {"是否列入严重失信主体名单", "On the serious-dishonesty list?"}},
      {"applicant.established_on", {"成立日期", "Established on"}},
      {"applicant.district", {"所在区", "District"}},
      {"subject", {"申报项目（奖项、证书或项目编号）", "Subject (award, certificate or project code)"}},
      {"obtained_on", {"获得日期", "Obtained on"}}};
  for (const auto& [p, words] : kWords) {
    if (p == path) return en ? words.second : words.first;
  }
  return "";
}

std::string ApplicationFields(const json& measure, const Form& values, const Errors& errors, bool en, int extra_rows,
                              std::vector<std::string>* names) {
  std::vector<std::pair<std::string, std::string>> kinds;
  for (const char* k : {"enterprise", "public_institution", "social_organization", "park_organizer"}) {
    kinds.emplace_back(k, en ? policy::KindEn(k) : policy::KindZh(k));
  }
  for (const char* n : {"applicant.uscc", "applicant.name", "applicant.kind", "applicant.registered_in_shenzhen",
                        "applicant.serious_dishonesty", "applicant.established_on", "subject", "obtained_on"}) {
    names->push_back(n);
  }
  std::string out = "<fieldset class=\"group\"><legend>" + std::string(Tr(en, "申报单位", "Applicant")) + "</legend>";
  out += InputField(
      "applicant.uscc", ContractFieldLabel("applicant.uscc", en), "text", values.Get("applicant.uscc"), errors, true,
      "maxlength=\"18\" autocapitalize=\"characters\" autocomplete=\"off\" spellcheck=\"false\" class=\"uscc\"",
      Tr(en, "18位，字母大写", "18 characters, capital letters"));
  out += InputField("applicant.name", ContractFieldLabel("applicant.name", en), "text", values.Get("applicant.name"),
                    errors, true, "autocomplete=\"organization\"");
  out += SelectField("applicant.kind", ContractFieldLabel("applicant.kind", en), kinds, values.Get("applicant.kind"),
                     errors, true);
  out += RadioField("applicant.registered_in_shenzhen", ContractFieldLabel("applicant.registered_in_shenzhen", en),
                    YesNo(en), values.Get("applicant.registered_in_shenzhen"), errors, true);
  out += RadioField("applicant.serious_dishonesty", ContractFieldLabel("applicant.serious_dishonesty", en), YesNo(en),
                    values.Get("applicant.serious_dishonesty"), errors, true);
  out += InputField("applicant.established_on", ContractFieldLabel("applicant.established_on", en), "date",
                    values.Get("applicant.established_on"), errors, false);
  out += "</fieldset><fieldset class=\"group\"><legend>" + std::string(Tr(en, "申报事项", "What is applied for")) +
         "</legend>";
  out += InputField("subject", ContractFieldLabel("subject", en), "text", values.Get("subject"), errors, true);
  out +=
      InputField("obtained_on", ContractFieldLabel("obtained_on", en), "date", values.Get("obtained_on"), errors, true);
  for (const auto& fact : measure["facts"]) {
    const std::string name = fact.value("name", "");
    const std::string path = "facts." + name;
    if (fact.value("type", "") != "list" || !fact.contains("item_fields")) {
      out += FactControl(fact, path, FactSpecLabel(fact, en), measure, values, errors, en, names);
      continue;
    }
    const int rows = std::max({RowsIn(values, path), static_cast<int>(fact.value("min_items", 0)), 1}) + extra_rows;
    names->push_back(path);
    auto whole = errors.find(path);
    const std::string label = FactSpecLabel(fact, en);
    out += "<fieldset class=\"rows\" id=\"" + FieldId(path) + "\" tabindex=\"-1\"><legend>" + Esc(label) + "</legend>";
    if (whole != errors.end()) out += "<p class=\"error-text\">" + Esc(whole->second) + "</p>";
    for (int i = 0; i < rows; ++i) {
      const std::string row = path + "[" + std::to_string(i) + "]";
      out += "<fieldset class=\"row\"><legend>" + Esc(label) + " " + std::to_string(i + 1) + "</legend>";
      for (const auto& item : fact["item_fields"]) {
        const std::string item_name = item.value("name", "");
        out += FactControl(item, row + "." + item_name, FactSpecLabel(item, en), measure, values, errors, en, names);
      }
      out += "</fieldset>";
    }
    // Without JavaScript: the form comes back with one more row, keeping what was typed.
    out += "<button type=\"submit\" class=\"secondary\" name=\"add_row\" value=\"" + Esc(path) + "\" formnovalidate>" +
           Tr(en, "添加一行", "Add a row") + "</button></fieldset>";
  }
  return out + "</fieldset>";
}

json ApplicationFromForm(const json& measure, const Form& form) {
  json app = json::object();
  app["measure"] = measure.value("id", "");
  json applicant = json::object();
  std::string uscc;
  for (char c : form.Get("applicant.uscc")) {
    if (c != ' ') uscc += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (!uscc.empty()) applicant["uscc"] = uscc;
  if (auto name = Trimmed(form.Get("applicant.name")); !name.empty()) applicant["name"] = name;
  if (auto kind = form.Get("applicant.kind"); !kind.empty()) applicant["kind"] = kind;
  for (const char* flag : {"registered_in_shenzhen", "serious_dishonesty"}) {
    const std::string& v = form.Get(std::string("applicant.") + flag);
    if (!v.empty()) applicant[flag] = v == "true";
  }
  if (auto d = form.Get("applicant.established_on"); !d.empty()) applicant["established_on"] = d;
  app["applicant"] = applicant;
  if (auto s = Trimmed(form.Get("subject")); !s.empty()) app["subject"] = s;
  if (auto d = form.Get("obtained_on"); !d.empty()) app["obtained_on"] = d;
  json facts = json::object();
  for (const auto& fact : measure["facts"]) {
    const std::string name = fact.value("name", "");
    const std::string path = "facts." + name;
    if (fact.value("type", "") != "list" || !fact.contains("item_fields")) {
      if (auto v = Trimmed(form.Get(path)); !v.empty()) facts[name] = Typed(fact, v);
      continue;
    }
    json rows = json::array();
    const int n = RowsIn(form, path);
    for (int i = 0; i < n; ++i) {
      json row = json::object();
      for (const auto& item : fact["item_fields"]) {
        const std::string item_name = item.value("name", "");
        auto v = Trimmed(form.Get(path + "[" + std::to_string(i) + "]." + item_name));
        if (!v.empty()) row[item_name] = Typed(item, v);
      }
      if (!row.empty()) rows.push_back(row);
    }
    if (!rows.empty()) facts[name] = rows;
  }
  if (!facts.empty()) app["facts"] = facts;
  return app;
}

Form FormFromApplication(const json& application) {
  Form f;
  auto put = [&](const std::string& name, const json& v) {
    if (v.is_string())
      f.Set(name, v.get<std::string>());
    else if (v.is_boolean())
      f.Set(name, v.get<bool>() ? "true" : "false");
    else if (v.is_number_integer())
      f.Set(name, std::to_string(v.get<int64_t>()));
  };
  if (application.contains("applicant") && application["applicant"].is_object()) {
    for (const auto& [k, v] : application["applicant"].items()) put("applicant." + k, v);
  }
  for (const char* k : {"subject", "obtained_on"}) {
    if (application.contains(k)) put(k, application[k]);
  }
  if (application.contains("facts") && application["facts"].is_object()) {
    for (const auto& [k, v] : application["facts"].items()) {
      if (!v.is_array()) {
        put("facts." + k, v);
        continue;
      }
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_object()) continue;
        for (const auto& [ik, iv] : v[i].items()) put("facts." + k + "[" + std::to_string(i) + "]." + ik, iv);
      }
    }
  }
  return f;
}

}  // namespace qgrant::web
