// Forms without per-measure code: the body of a posted form (or a GET query) as name/value
// pairs, the controls every form uses (a label on each input, the error beside its field linked
// by aria-describedby), and the application form generated from a measure of
// GET /api/v1/measures — its declared facts, their types and allowed values. Every input is
// named after its §7 field path (`applicant.uscc`, `facts.certificates[1].number`), so an API
// problem's errors[].field lands beside the input that caused it with no table in between.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qgrant::web {

class Form {
 public:
  Form() = default;
  // application/x-www-form-urlencoded (a POST body or a query string): '+' is a space.
  static Form Parse(std::string_view encoded);
  static Form FromQuery(const std::vector<std::pair<std::string, std::string>>& query);

  // The first value of `name`, "" when absent.
  const std::string& Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  void Set(std::string name, std::string value);

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Problems by field path, as ApiAnswer::FieldErrors gives them.
using Errors = std::map<std::string, std::string>;

// The id of the input named `name` ("facts.certificates[1].number" -> "f-facts-certificates-1-number").
std::string FieldId(std::string_view name);

// A labelled input: <div class="field"> with its <label>, the error beside it (aria-invalid,
// aria-describedby) and an optional hint. `attrs`: further attributes, already escaped.
std::string InputField(std::string_view name, std::string_view label, std::string_view type, std::string_view value,
                       const Errors& errors, bool required, std::string_view attrs = {}, std::string_view hint = {});
// A <select> with its label; `options`: value and label.
std::string SelectField(std::string_view name, std::string_view label,
                        const std::vector<std::pair<std::string, std::string>>& options, std::string_view value,
                        const Errors& errors, bool required);
// A group of radio buttons in a fieldset with its legend.
std::string RadioField(std::string_view name, std::string_view legend,
                       const std::vector<std::pair<std::string, std::string>>& options, std::string_view value,
                       const Errors& errors, bool required);
// A textarea with its label.
std::string TextAreaField(std::string_view name, std::string_view label, std::string_view value, const Errors& errors,
                          bool required, std::string_view hint = {});

// The error summary at the top of a failed form: each problem a link to its field (problems of
// no field on the form are listed as text). Empty when there are none.
std::string ErrorSummary(const Errors& errors, const std::vector<std::string>& fields_on_form, bool en);

// The application form of one measure (a `GET /api/v1/measures` item): the applicant, the
// subject and date, then one control per declared fact. `values` prefill it; a list fact shows
// as many rows as the values hold, at least its minimum and one, plus `extra_rows`.
// `fields_on_form` receives every input name (for the error summary).
std::string ApplicationFields(const nlohmann::json& measure, const Form& values, const Errors& errors, bool en,
                              int extra_rows, std::vector<std::string>* fields_on_form);

// The §2 application the form describes; empty inputs are left out, so that the API names what
// is missing. The USCC is upper-cased with spaces removed.
nlohmann::json ApplicationFromForm(const nlohmann::json& measure, const Form& form);

// The form values of an application resource (the inverse, to edit a draft).
Form FormFromApplication(const nlohmann::json& application);

// The label of a declared fact or item field by its name alone (level -> 级别 / Level), for a
// fact the policy gives no label; the name itself when unknown.
std::string FactLabel(std::string_view name, bool en);

// The label of a field the contract declares for every application (applicant.kind -> 单位类型,
// obtained_on -> 获得日期); "" for any other path.
std::string ContractFieldLabel(std::string_view path, bool en);

// The declaration of fact `name` in `facts` (a measure's "facts", or a list fact's
// "item_fields"); null when none.
const nlohmann::json* FindFactSpec(const nlohmann::json& facts, std::string_view name);

// The label of a declared fact (an item of a measure's "facts" or "item_fields"): the policy's
// `label`, else FactLabel of its name.
std::string FactSpecLabel(const nlohmann::json& spec, bool en);

// How a value of fact `spec` reads to people: the fact's `value_names`, else the measure's
// `level_names`, else the value itself.
std::string FactValueName(const nlohmann::json& spec, const nlohmann::json& measure, const std::string& value, bool en);

}  // namespace qgrant::web
