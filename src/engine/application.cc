#include "engine/application.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "common/concat.h"
#include "common/same_bytes.h"
#include "engine/json_tape.h"
#include "engine/uscc.h"
#include "policy/keys.h"
#include "policy/loader.h"
#include "policy/words.h"

namespace qgrant::engine {

using policy::FactSpec;

expr::Value DateValue(policy::Date d) { return expr::Value::Timestamp(d.days * 86400 - 8 * 3600, 0); }

void Application::Clear() {
  id.reset();
  uscc.clear();
  name.clear();
  kind.clear();
  registered_in_shenzhen = false;
  serious_dishonesty = false;
  established_on.reset();
  district.clear();
  applicant_facts.clear();
  measure.clear();
  measure_index = SIZE_MAX;
  subject.clear();
  subject_key.clear();
  obtained_on = policy::Date();
  submitted_on.reset();
  requested_fen.reset();
  review_passed.reset();
  review_note.clear();
  line = 0;
  facts = expr::Value();
  level.clear();
  items.clear();
  errors.clear();
  unknown.clear();
  partial = false;
}

namespace {

// Whether a required string says nothing: empty, or only white space or zero-width characters
// (CONTRACT §6: an empty string where a value is required is invalid; "  " is as empty). The
// key form is worked out only when the first byte could begin such a character, so that a name
// in Chinese costs nothing more.
bool Blank(std::string_view s) {
  if (s.empty()) return true;
  const unsigned char c = static_cast<unsigned char>(s[0]);
  const bool may_be_space = c <= ' ' || c == 0xC2 || c == 0xE2 || c == 0xE3 || c == 0xEF;
  return may_be_space && policy::MatchKey(s).empty();
}

// How a field reads to people, in both languages (WEB.md §1: no machine id in a text people read):
// "「认证证书」第1项的「认证类型」" and "Certificates, item 1: Certification".
struct Words {
  std::string zh;
  std::string en;
};

// The contract's own fields (CONTRACT §2) by fixed words; a fact's words are its policy label.
struct ContractWords {
  std::string_view path, zh, en;
};
constexpr ContractWords kContractWords[] = {
    {"id", "「编号」", "ID"},
    {"applicant", "「申报单位」", "Applicant"},
    {"applicant.uscc", "「统一社会信用代码」", "Unified social credit code"},
    {"applicant.name", "「单位名称」", "Name of the unit"},
    {"applicant.kind", "「单位类型」", "Kind of unit"},
    {"applicant.registered_in_shenzhen", "「是否在深圳市注册」", "Registered in Shenzhen"},
    {"applicant.serious_dishonesty", "「是否列入严重失信主体名单」", "On the serious-dishonesty list"},
    {"applicant.established_on", "「成立日期」", "Date established"},
    {"applicant.district", "「所在区」", "District"},
    {"measure", "「措施」", "Measure"},
    {"subject", "「项目」", "Subject"},
    {"obtained_on", "「获得日期」", "Date obtained"},
    {"submitted_on", "「提交日期」", "Date submitted"},
    {"requested_fen", "「申请金额」", "Amount requested"},
    {"review", "「专家评审」", "Expert review"},
    {"review.passed", "「专家评审」的「是否通过」", "Expert review: Passed"},
    {"review.note", "「专家评审」的「评审意见」", "Expert review: Note"},
    {"facts", "「申报事项」", "Facts of the measure"},
};

// Names joined for a sentence: 绿色产品认证、绿色金融认证 / Green product certification, Green
// finance certification.
Words JoinNames(const std::vector<policy::Text>& names) {
  Words out;
  for (const auto& n : names) {
    if (!out.zh.empty()) {
      out.zh += "、";
      out.en += ", ";
    }
    out.zh += n.zh;
    out.en += n.en;
  }
  return out;
}

// A member of a JSON object looked up by name: the first one with that name.
struct Field {
  bool seen = false;  // the name occurs, perhaps with null
  json::Element value;

  // null counts as absent
  bool present() const { return seen && !value.IsNull(); }
};

// Where a value sits in the application ("facts.certificates[1].issued_on"), as a chain of parts
// on the stack. It is spelled out only when a problem or an unknown is reported, so a valid
// application builds no path strings.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;  // a field, or for the root the whole path ("applicant.uscc")
  size_t index = 0;       // a list item's position
  bool item = false;

  static Path Member(const Path* parent, std::string_view name) { return {parent, name, 0, false}; }
  static Path Item(const Path* parent, size_t index) { return {parent, {}, index, true}; }

  std::string ToString() const {
    std::string out;
    out.reserve(48);  // "facts.certificates[12].issued_on" in one allocation
    AppendTo(&out);
    return out;
  }
  // Appends the path to `out`: the parents' parts first, into the one string.
  void AppendTo(std::string* out) const {
    if (parent != nullptr) parent->AppendTo(out);
    if (item) {
      *out += '[';
      *out += std::to_string(index);
      *out += ']';
    } else {
      if (parent != nullptr) *out += '.';
      *out += name;
    }
  }
};

// The top-level fields and the applicant's fields, as indices into arrays of Field.
enum RootField {
  kId,
  kApplicant,
  kMeasure,
  kSubject,
  kObtainedOn,
  kRequestedFen,
  kFacts,
  kSubmittedOn,
  kReview,
  kRootFields
};
enum ApplicantField { kUscc, kName, kKind, kRegistered, kDishonesty, kEstablishedOn, kDistrict, kApplicantFields };

// Whether `key`, already known to be as long as `name`, is `name`: a comparison of known length,
// which compiles to a few loads.
template <size_t N>
bool Is(std::string_view key, const char (&name)[N]) {
  return std::memcmp(key.data(), name, N - 1) == 0;
}

// Which top-level field `key` is, or kRootFields for none. The length settles most keys, so each
// member of the object costs one comparison.
size_t RootFieldOf(std::string_view key) {
  switch (key.size()) {
    case 2:
      return Is(key, "id") ? kId : kRootFields;
    case 5:
      return Is(key, "facts") ? kFacts : kRootFields;
    case 6:
      return Is(key, "review") ? kReview : kRootFields;
    case 12:
      return Is(key, "submitted_on") ? kSubmittedOn : kRootFields;
    case 7:
      return Is(key, "measure") ? kMeasure : Is(key, "subject") ? kSubject : kRootFields;
    case 9:
      return Is(key, "applicant") ? kApplicant : kRootFields;
    case 11:
      return Is(key, "obtained_on") ? kObtainedOn : kRootFields;
    case 13:
      return Is(key, "requested_fen") ? kRequestedFen : kRootFields;
    default:
      return kRootFields;
  }
}

// Which applicant field `key` is, or kApplicantFields for none.
size_t ApplicantFieldOf(std::string_view key) {
  switch (key.size()) {
    case 4:
      return Is(key, "uscc") ? kUscc : Is(key, "name") ? kName : Is(key, "kind") ? kKind : kApplicantFields;
    case 8:
      return Is(key, "district") ? kDistrict : kApplicantFields;
    case 14:
      return Is(key, "established_on") ? kEstablishedOn : kApplicantFields;
    case 18:
      return Is(key, "serious_dishonesty") ? kDishonesty : kApplicantFields;
    case 22:
      return Is(key, "registered_in_shenzhen") ? kRegistered : kApplicantFields;
    default:
      return kApplicantFields;
  }
}

// Finds the members of `obj` that kWhich maps to an index below N, in one pass over it. A lookup
// by name (object::at_key) scans the object, so looking each name up would scan it N times.
// `other(key, value, repeated)` is told of every member that is not one of them, and of every
// repeated one.
template <size_t N, size_t (*kWhich)(std::string_view), typename Other>
void FindFields(const json::Object& obj, std::array<Field, N>* out, Other other) {
  for (const auto [key, value] : obj) {
    const size_t i = kWhich(key);
    if (i < N && !(*out)[i].seen) {
      (*out)[i] = {true, value};
    } else {
      other(key, value, i < N);
    }
  }
}

// Points each declaration in `specs` at the first member of `obj` with its name, in one pass over
// the object. Fact names are unique (the loader rejects a repeated key), so a member matches one
// declaration at most.
// `other(key, repeated)` is told of every member that is not declared, and of every repeated one.
template <typename Other>
void FindFacts(const json::Object& obj, const std::vector<FactSpec>& specs, Field* fields, Other other) {
  const size_t n = specs.size();
  size_t next = 0;
  for (const auto [key, value] : obj) {
    // Members usually come in declaration order: the next declaration is tried first.
    size_t i = next;
    if (i == n || !SameBytes(key, specs[i].name)) {
      i = 0;
      while (i < n && !SameBytes(key, specs[i].name)) ++i;
      if (i == n) {
        other(key, false);
        continue;
      }
    }
    if (!fields[i].seen)
      fields[i] = {true, value};
    else
      other(key, true);
    next = i + 1;
  }
}

// policy::ParseDate, which checks the calendar, costs more than the rest of reading a date. Dates
// repeat from one application to the next (a few years of days), so the reader keeps the dates it
// has parsed, one per slot, keyed by their text.
class DateMemo {
 public:
  // As policy::ParseDate.
  bool Parse(std::string_view s, policy::Date* out) {
    if (s.size() != kLength) return policy::ParseDate(s, out);  // not a date: not kept
    // The slot from the last digit of the year, the month and the day, as if they were digits:
    // the dates of one decade have slots of their own.
    auto at = [s](size_t i) -> size_t { return static_cast<unsigned char>(s[i]); };
    Slot& slot = slots_[(at(3) * 372 + at(5) * 310 + at(6) * 31 + at(8) * 10 + at(9)) % kSlots];
    if (slot.used && std::memcmp(slot.text, s.data(), kLength) == 0) {
      *out = slot.date;
      return true;
    }
    if (!policy::ParseDate(s, out)) return false;
    slot.used = true;
    std::memcpy(slot.text, s.data(), kLength);
    slot.date = *out;
    return true;
  }

 private:
  static constexpr size_t kLength = 10;  // YYYY-MM-DD
  static constexpr size_t kSlots = 4096;
  struct Slot {
    bool used = false;
    char text[kLength];
    policy::Date date;
  };
  std::array<Slot, kSlots> slots_;
};

// The first member of `obj` named `name`, as the facts map keeps it.
inline bool FirstMember(const json::Object& obj, std::string_view name, json::Element* out) {
  for (const auto [key, value] : obj) {
    if (SameBytes(key, name)) {
      *out = value;
      return true;
    }
  }
  return false;
}

}  // namespace

// What reading a line leaves to the next: buffers that keep their capacity, and memos.
struct ApplicationReader::Scratch {
  std::string line;      // the line, with the parsers' padding
  std::string in_range;  // a line whose numbers 64 bits cannot hold, with stand-ins (NumbersInRange)
  json::Tape tape;       // the line's values
  // The members found for the declared facts of the objects being validated, innermost last.
  std::vector<Field> fields;
  DateMemo dates;
  // The maps of nested objects that applications share (Validator::SharedObject), by their
  // declarations and then by combination (a measure's facts objects are kept in its reading).
  std::unordered_map<const std::vector<FactSpec>*, std::vector<expr::Value>> shared_maps;
  // The empty facts map, shared by the applications this reader reads. A reader's own: copies of
  // one value on several threads contend for its reference count.
  const expr::Value empty_facts = expr::Value::Map(expr::MapValue::Make({}, nullptr));
  // The names of declared facts as the keys of facts maps, by their declarations: this reader's
  // copies, for the same reason.
  std::unordered_map<const std::vector<FactSpec>*, std::vector<expr::Value>> names;
  // A closed list's values as CEL strings, by its declaration: this reader's copies too.
  std::unordered_map<const FactSpec*, std::vector<expr::Value>> closed_values;
  // Each remembers the declarations it answered last (a measure's applications come in runs);
  // the maps' elements stay where they are.
  const expr::Value& ClosedValueOf(const FactSpec& spec, size_t k) {
    if (&spec != last_closed.first) {
      std::vector<expr::Value>& own = closed_values[&spec];
      if (own.empty()) {
        for (const std::string& v : spec.enum_values) own.push_back(expr::Value::String(v));
      }
      last_closed = {&spec, &own};
    }
    return (*last_closed.second)[k];
  }
  const std::vector<expr::Value>& NamesOf(const std::vector<FactSpec>& specs) {
    if (&specs != last_names.first) {
      std::vector<expr::Value>& own = names[&specs];
      if (own.empty()) {
        for (const FactSpec& spec : specs) own.push_back(expr::Value::String(spec.name));
      }
      last_names = {&specs, &own};
    }
    return *last_names.second;
  }
  std::pair<const FactSpec*, const std::vector<expr::Value>*> last_closed{nullptr, nullptr};
  std::pair<const std::vector<FactSpec>*, const std::vector<expr::Value>*> last_names{nullptr, nullptr};
};

class ApplicationReader::Validator {
 public:
  Validator(Application* app, bool partial, Scratch* scratch, const ApplicationReader& reader)
      : app_(app), partial_(partial), scratch_(scratch), reader_(reader) {}

  // The reports below spell the path out: only a problem or an unknown needs it as a string. They
  // are cold, so that the checks that call them stay small enough to be inlined. Their texts name
  // the field in words (WordsOf), never by its path: applicants read them on the pages. The path
  // stays in FieldError::path, for machines.

  // A required field that is absent: an error, or in partial mode an unknown.
  [[gnu::cold]] void Absent(const Path& path) {
    if (partial_) {
      app_->unknown.push_back(path.ToString());
    } else {
      Missing(path);
    }
  }

  [[gnu::cold]] void Add(std::string path, std::string code, std::string zh, std::string en) {
    app_->errors.push_back({std::move(path), std::move(code), {std::move(zh), std::move(en)}});
  }

  // How the field at `path` reads to people: a fact by its label (an item of a list by its place
  // in it), the contract's own fields by fixed words. A field without words (one the policy does
  // not label, or an unknown one) keeps its path. Worked out only when a problem is reported:
  // valid applications look no label up.
  [[gnu::cold]] Words WordsOf(const Path& path) const {
    if (path.parent == nullptr) {  // most are ("obtained_on"): found without spelling the path out
      for (const ContractWords& c : kContractWords) {
        if (c.path == path.name) return {std::string(c.zh), std::string(c.en)};
      }
    }
    Words w;
    if (FactWords(path, &w)) return w;
    std::string p = path.ToString();
    for (const ContractWords& c : kContractWords) {
      if (c.path == p) return {std::string(c.zh), std::string(c.en)};
    }
    return {Concat("「", p, "」"), Concat("Field ", p)};
  }

  // The words of a declared fact (under `facts`, or a further applicant fact of the policy), when
  // it and every fact it lies in have a label.
  [[gnu::cold]] bool FactWords(const Path& path, Words* out) const {
    struct Part {
      std::string_view name;
      size_t index;
      bool item;
    };
    // The parts, outermost first; the root's name may hold several ("applicant.years_operating").
    std::vector<Part> parts;
    for (const Path* p = &path; p != nullptr; p = p->parent) {
      if (p->item) {
        parts.push_back({{}, p->index, true});
      } else if (p->parent != nullptr) {
        parts.push_back({p->name, 0, false});
      } else {
        std::string_view rest = p->name;
        std::vector<Part> root;
        for (size_t dot; (dot = rest.find('.')) != std::string_view::npos; rest.remove_prefix(dot + 1)) {
          root.push_back({rest.substr(0, dot), 0, false});
        }
        root.push_back({rest, 0, false});
        parts.insert(parts.end(), root.rbegin(), root.rend());
      }
    }
    std::reverse(parts.begin(), parts.end());
    if (parts.size() < 2 || parts[1].item) return false;
    const std::vector<FactSpec>* specs = nullptr;
    if (parts[0].name == "facts") {
      specs = facts_specs_;
    } else if (parts[0].name == "applicant" && ApplicantFieldOf(parts[1].name) == kApplicantFields &&
               reader_.rules_.policy != nullptr) {
      specs = &reader_.rules_.policy->applicant_facts;
    }
    if (specs == nullptr) return false;
    const FactSpec* spec = nullptr;
    Words w;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].item) {
        if (spec == nullptr || spec->type != FactSpec::Type::kList) return false;
        const std::string n = std::to_string(parts[i].index + 1);
        w.zh += Concat("第", n, "项");
        w.en += Concat(", item ", n);
        // The item's declaration: an object's fields, or the one declaration of a plain item.
        specs = spec->list_of_objects ? &spec->fields : nullptr;
        spec = !spec->list_of_objects && !spec->fields.empty() ? &spec->fields[0] : nullptr;
        continue;
      }
      if (specs == nullptr) return false;
      auto it = std::find_if(specs->begin(), specs->end(),
                             [&](const FactSpec& f) { return SameBytes(f.name, parts[i].name); });
      if (it == specs->end() || !it->label) return false;
      if (!w.zh.empty()) {
        w.zh += "的";
        w.en += ": ";
      }
      w.zh += Concat("「", it->label->zh, "」");
      w.en += it->label->en;
      spec = &*it;
      specs = spec->type == FactSpec::Type::kObject ? &spec->fields : nullptr;
    }
    *out = std::move(w);
    return true;
  }

  [[gnu::cold]] void Missing(const Path& path) {
    const Words w = WordsOf(path);
    Add(path.ToString(), "missing", Concat("缺少必填项", w.zh), Concat(w.en, " is required and was not given"));
  }
  [[gnu::cold]] void WrongType(const Path& path, const char* want_zh, const char* want_en) {
    const Words w = WordsOf(path);
    Add(path.ToString(), "wrong_type", Concat(w.zh, "应为", want_zh), Concat(w.en, " must be ", want_en));
  }
  [[gnu::cold]] void Empty(const Path& path) {
    const Words w = WordsOf(path);
    Add(path.ToString(), "empty", Concat(w.zh, "不能为空"), Concat(w.en, " must not be empty"));
  }
  // A value outside a closed list: the value as given, and the allowed ones by their names.
  [[gnu::cold]] void NotInList(const Path& path, std::string_view s, const FactSpec& spec) {
    std::vector<policy::Text> names;
    for (const std::string& v : spec.enum_values) {
      auto it = spec.value_names.find(v);
      names.push_back(it != spec.value_names.end() ? it->second : policy::Text{v, v});
    }
    NotInList(path, s, names);
  }
  [[gnu::cold]] void NotInList(const Path& path, std::string_view s, const std::vector<policy::Text>& names) {
    const Words w = WordsOf(path);
    const Words allowed = JoinNames(names);
    Add(path.ToString(), "not_in_list", Concat(w.zh, "填写的「", s, "」不在允许范围内（可选：", allowed.zh, "）"),
        Concat(w.en, " is '", s, "', which is not one of: ", allowed.en));
  }
  // A member the contract, the policy and its guide do not declare: a misspelt `requested_fn`
  // must not pass silently as "no request" (CONTRACT §6, second reading). Screening reads
  // registries, which may say more than an application. `parent`: the object it is in (null: the
  // application itself). It has no words, being unknown: it is named as given.
  [[gnu::cold]] void Unknown(const Path* parent, std::string_view key) {
    if (partial_) return;
    const Path path = parent != nullptr ? Path::Member(parent, key) : Path{nullptr, key};
    std::string zh = Concat("字段「", key, "」未定义（请检查拼写）");
    std::string en = Concat("field '", key, "' is not defined (check its spelling)");
    if (parent != nullptr) {
      const Words w = WordsOf(*parent);
      zh = Concat(w.zh, "中的", zh);
      en = Concat(w.en, ": ", en);
    } else {
      en[0] = 'F';
    }
    Add(path.ToString(), "unknown_field", std::move(zh), std::move(en));
  }
  [[gnu::cold]] void Repeated(const Path& path) {
    const Words w = WordsOf(path);
    Add(path.ToString(), "repeated_field", Concat(w.zh, "重复出现"), Concat(w.en, " is given more than once"));
  }
  // Reports a member of the object at `parent` that was not declared or came twice.
  void Other(const Path& parent, std::string_view key, bool repeated) {
    repeated ? Repeated(Path::Member(&parent, key)) : Unknown(&parent, key);
  }
  // Each sentence made with one allocation (Concat): a third of a workload decided before its
  // achievements' dates is this error, and operator+ chains made six allocations of it.
  [[gnu::cold]] void FutureDate(const Path& path, policy::Date d) {
    std::string p = path.ToString();
    const Words w = WordsOf(path);
    const policy::Date as_of = reader_.rules_.as_of;
    std::string zh = Concat(w.zh, "为", policy::DateZh(d), "，晚于评定日期", policy::DateZh(as_of));
    std::string en =
        Concat(w.en, " is ", policy::FormatDate(d), ", later than the evaluation date ", policy::FormatDate(as_of));
    app_->errors.push_back({std::move(p), "future_date", {std::move(zh), std::move(en)}});
  }
  // Dates of what happened (an achievement, a certificate, a submission) cannot be later than
  // the evaluation date.
  void NotAfterEvaluation(const Path& path, policy::Date d) {
    if (reader_.rules_.as_of < d) FutureDate(path, d);
  }

  [[gnu::cold]] void InvalidDate(const Path& path, std::string_view s) {
    const Words w = WordsOf(path);
    Add(path.ToString(), "invalid_date", Concat(w.zh, "填写的「", s, "」不是有效日期（应为YYYY-MM-DD）"),
        Concat(w.en, " is '", s, "', not a real calendar date YYYY-MM-DD"));
  }

  // The line is not JSON: why, in words.
  [[gnu::cold]] void NotJson(simdjson::error_code error) {
    if (error == simdjson::NUMBER_OUT_OF_RANGE || error == simdjson::NUMBER_ERROR) {
      Add("", "not_json", "该行含有无法读取的数值（超出范围或格式错误）",
          "the line has a number that cannot be read (out of range or malformed)");
    } else if (error == simdjson::UTF8_ERROR) {
      Add("", "not_json", "该行不是有效的 UTF-8 文本", "the line is not valid UTF-8 text");
    } else if (error == simdjson::DEPTH_ERROR) {
      Add("", "not_json", "该行嵌套层数过多", "the line is nested too deeply");
    } else {
      Add("", "not_json", "该行不是有效的 JSON", "the line is not valid JSON");
    }
  }
  [[gnu::cold]] void InvalidUscc(UsccProblem problem, size_t size) {
    switch (problem) {
      case UsccProblem::kNone:
        break;
      case UsccProblem::kLength:
        Add("applicant.uscc", "invalid_uscc", "统一社会信用代码应为18位，实际为" + std::to_string(size) + "位",
            "the unified social credit code must have 18 characters, found " + std::to_string(size));
        break;
      case UsccProblem::kCharacter:
        Add("applicant.uscc", "invalid_uscc",
            "统一社会信用代码含有 GB 32100 字符集以外的字符（须为数字或大写字母，不含 I、O、Z、S、V）",
            "the unified social credit code has a character outside the GB 32100 set (digits and upper-case letters "
            "except I, O, Z, S, V)");
        break;
      case UsccProblem::kCheckCharacter:
        Add("applicant.uscc", "invalid_uscc", "统一社会信用代码校验码错误（GB 32100-2015）",
            "the unified social credit code's check character is wrong (GB 32100-2015)");
        break;
    }
  }
  [[gnu::cold]] void NotPositiveInteger(const Path& path) {
    const Words w = WordsOf(path);
    Add(path.ToString(), "not_positive_integer", Concat(w.zh, "应为1至10^15之间的整数（单位：分）"),
        Concat(w.en, " must be a whole number of fen from 1 to 10^15 (a JSON integer)"));
  }
  // A list shorter than its declaration allows (`empty` when it needs one item).
  [[gnu::cold]] void TooFewItems(const Path& path, int64_t least) {
    const Words w = WordsOf(path);
    const std::string n = std::to_string(least);
    Add(path.ToString(), least == 1 ? "empty" : "too_few_items", Concat(w.zh, "至少需要", n, "项"),
        Concat(w.en, " needs at least ", n, least == 1 ? " item" : " items"));
  }
  // An applicant kind outside the contract's four, which are named by their words (企业).
  [[gnu::cold]] void UnknownKind(std::string_view kind) {
    std::vector<policy::Text> names;
    for (const auto& known : policy::ApplicantKinds()) names.push_back({policy::KindZh(known), policy::KindEn(known)});
    NotInList({nullptr, "applicant.kind"}, kind, names);
  }
  // A measure the rules neither have nor have cancelled: the measures in force, by their titles.
  [[gnu::cold]] void UnknownMeasure(const std::string& measure) {
    std::vector<policy::Text> titles;
    for (const auto* pm : reader_.rules_.measures) titles.push_back(pm->title);
    const Words known = JoinNames(titles);
    Add("measure", "unknown_measure", Concat("「措施」填写的「", measure, "」不是本政策的措施（可选：", known.zh, "）"),
        Concat("Measure is '", measure, "', which is not a measure of this policy (the measures: ", known.en, ")"));
  }

  // An object, or false having reported that it is not one.
  bool ObjectOf(const json::Element& e, const Path& path, json::Object* out) {
    if (e.GetObject(out)) return true;
    WrongType(path, "对象", "an object");
    return false;
  }

  // A string, not empty if `required`. The views point into the line or the parser's document,
  // valid until the next line.
  std::optional<std::string_view> StringOf(const json::Element& e, bool required, const Path& path) {
    std::string_view s;
    if (!e.GetString(&s)) {
      WrongType(path, "字符串", "a string");
      return std::nullopt;
    }
    if (required && Blank(s)) {
      Empty(path);
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string_view> String(const Field& f, const Path& path, bool required) {
    if (!f.present()) {
      if (required) Absent(path);
      return std::nullopt;
    }
    return StringOf(f.value, required, path);
  }

  std::optional<bool> Bool(const Field& f, const Path& path, bool required) {
    if (!f.present()) {
      if (required) Absent(path);
      return std::nullopt;
    }
    bool b;
    if (!f.value.GetBool(&b)) {
      WrongType(path, "是或否（true 或 false）", "true or false");
      return std::nullopt;
    }
    return b;
  }

  std::optional<policy::Date> DateOf(const json::Element& e, const Path& path) {
    std::string_view s;
    if (!e.GetString(&s)) {
      WrongType(path, "日期字符串 YYYY-MM-DD", "a date string YYYY-MM-DD");
      return std::nullopt;
    }
    policy::Date d;
    if (!scratch_->dates.Parse(s, &d)) {
      InvalidDate(path, s);
      return std::nullopt;
    }
    return d;
  }

  std::optional<policy::Date> Date(const Field& f, const Path& path, bool required) {
    if (!f.present()) {
      if (required) Absent(path);
      return std::nullopt;
    }
    return DateOf(f.value, path);
  }

  // A JSON integer from 1 to 10^15 fen: 1.0 or 1e3 is not money (CONTRACT §6, second reading).
  std::optional<int64_t> PositiveInteger(const json::Element& e, const Path& path) {
    int64_t i;
    auto bad = [&] {
      NotPositiveInteger(path);
      return std::nullopt;
    };
    if (!e.IsInteger()) return bad();
    if (!e.GetInt64(&i) || i < 1 || i > policy::kMaxAmountFen) return bad();
    return i;
  }

  // A string fact with a closed list of values: the position of its value in the list.
  std::optional<size_t> ClosedValue(const json::Element& e, const FactSpec& spec, const Path& path) {
    const std::optional<std::string_view> s = StringOf(e, spec.required, path);
    if (!s) return std::nullopt;
    auto it = std::find_if(spec.enum_values.begin(), spec.enum_values.end(),
                           [&](const std::string& v) { return SameBytes(v, *s); });
    if (it == spec.enum_values.end()) {
      NotInList(path, *s, spec);
      return std::nullopt;
    }
    return static_cast<size_t>(it - spec.enum_values.begin());
  }

  // The items of a per-item measure are taken while its list is validated, rather than read
  // again afterwards: each object of the list becomes an Item of `out` (ReadFacts drops them when
  // the application has an error).
  void TakeItems(const MeasureReading* reading, std::vector<Item>* out) {
    items_reading_ = reading;
    items_ = out;
  }
  // What the facts object `specs` needs for its shared maps is kept in the measure's reading.
  void KeepFactsMaps(const std::vector<FactSpec>* specs, MeasureReading* reading) {
    facts_specs_ = specs;
    facts_reading_ = reading;
  }

  // Validates a fact against its declaration and, with `build`, converts it (without, the
  // result is null: no rule reads the fact, so only its problems matter). `items`: how a list of
  // objects' items are read (null: whole).
  expr::Value Fact(const json::Element& e, const FactSpec& spec, const Path& path, bool build = true,
                   ItemsReading* items = nullptr) {
    switch (spec.type) {
      case FactSpec::Type::kString: {
        if (!spec.enum_values.empty()) {
          const std::optional<size_t> k = ClosedValue(e, spec, path);
          return k && build ? scratch_->ClosedValueOf(spec, *k) : expr::Value();
        }
        const std::optional<std::string_view> s = StringOf(e, spec.required, path);
        if (!s) return expr::Value();
        // A key of nothing but white space or invisible characters is empty too (a blank
        // certificate number would be paid once, then block every other unit's blank one).
        if (spec.required && ComparedAsKey(spec) && !policy::IsMatchKey(*s) && policy::MatchKey(*s).empty()) {
          Empty(path);
          return expr::Value();
        }
        if (!build) return expr::Value();
        if (spec.match != FactSpec::Match::kExact) return reader_.CanonicalValue(*s, spec.match);
        return expr::Value::String(std::string(*s));
      }
      case FactSpec::Type::kInt: {
        int64_t i;
        if (!e.GetInt64(&i)) {
          WrongType(path, "整数", "a whole number");
          return expr::Value();
        }
        return expr::Value::Int(i);
      }
      case FactSpec::Type::kBool: {
        bool b;
        if (!e.GetBool(&b)) {
          WrongType(path, "是或否（true 或 false）", "true or false");
          return expr::Value();
        }
        return expr::Value::Bool(b);
      }
      case FactSpec::Type::kDate: {
        auto d = DateFact(e, spec, path);
        return d && build ? DateValue(*d) : expr::Value();
      }
      case FactSpec::Type::kObject: {
        json::Object obj;
        if (!e.GetObject(&obj)) {
          WrongType(path, "对象", "an object");
          return expr::Value();
        }
        return Object(&obj, spec.fields, path, build);
      }
      case FactSpec::Type::kList:
        return List(e, spec, path, build, items);
    }
    return expr::Value();
  }

  // Whether a string fact is compared as a key (CONTRACT §6, "Comparing keys"): an open-list
  // value, or the key of a per-item measure's items (a certificate number).
  bool ComparedAsKey(const FactSpec& spec) const {
    if (spec.match != FactSpec::Match::kExact) return true;
    return items_reading_ != nullptr && items_reading_->key != MeasureReading::kNone &&
           &spec == &(*items_reading_->item_fields)[items_reading_->key];
  }

  // A date fact; the date a certificate was issued cannot be later than the evaluation date.
  std::optional<policy::Date> DateFact(const json::Element& e, const FactSpec& spec, const Path& path) {
    auto d = DateOf(e, path);
    if (d && SameBytes(spec.name, "issued_on")) NotAfterEvaluation(path, *d);
    return d;
  }

  expr::Value List(const json::Element& e, const FactSpec& spec, const Path& path, bool build,
                   ItemsReading* read_items) {
    json::Array arr;
    if (!e.GetArray(&arr)) {
      WrongType(path, "列表", "a list");
      return expr::Value();
    }
    const size_t size = arr.size();
    if (static_cast<int64_t>(size) < spec.min_items) TooFewItems(path, spec.min_items);
    expr::ValueList items;
    if (build) items.reserve(size);
    ItemsReading* const items_reading = partial_ ? nullptr : read_items;
    size_t i = 0;
    for (json::Element item : arr) {
      const Path ipath = Path::Item(&path, i++);
      if (spec.list_of_objects) {
        json::Object obj;
        if (!item.GetObject(&obj)) {
          WrongType(ipath, "对象", "an object");
          continue;
        }
        expr::Value v = Object(&obj, spec.fields, ipath, build, nullptr, items_reading);
        if (build) items.push_back(std::move(v));
      } else if (!spec.fields.empty()) {
        expr::Value v = Fact(item, spec.fields[0], ipath, build);
        if (build) items.push_back(std::move(v));
      }
    }
    // Unbuilt, the list is null like any fact no rule reads: no allocation for it.
    return build ? expr::Value::List(std::move(items)) : expr::Value();
  }

  // The declared facts `specs` of the object at `path`; `obj` null: the object is absent, so all
  // its fields are.
  // `build` false: validate only. `wanted`, for the facts object: which of its facts to build
  // (null: all). `items`, for an item of a list: how the list's items are read (null: whole).
  expr::Value Object(const json::Object* obj, const std::vector<FactSpec>& specs, const Path& path, bool build = true,
                     const std::vector<char>* wanted = nullptr, ItemsReading* items = nullptr) {
    // This object's members go on the stack scratch_->fields, above those of the objects it is
    // nested in. The stack only grows; a nested object may grow it, so no pointer into it is
    // held across Fact.
    std::vector<Field>& stack = scratch_->fields;
    const size_t n = specs.size();
    const size_t base = top_;
    top_ += n;
    if (stack.size() < top_) stack.resize(top_);
    std::fill_n(stack.begin() + base, n, Field());
    if (obj != nullptr) {
      FindFacts(*obj, specs, stack.data() + base,
                [&](std::string_view key, bool repeated) { Other(path, key, repeated); });
      if (items_ != nullptr && &specs == items_reading_->item_fields) TakeItem(*obj, stack.data() + base);
    }
    expr::Value map;
    if (items != nullptr && build) {
      map = items->shared ? SharedItem(specs, stack.data() + base, path, items)
                          : NewObject(specs, base, path, build, &items->fields);
    } else {
      const size_t combinations = partial_                 ? 0
                                  : &specs == facts_specs_ ? facts_reading_->combinations
                                                           : Combinations(specs);
      map = combinations != 0 ? SharedObject(specs, combinations, stack.data() + base, path)
                              : NewObject(specs, base, path, build, wanted);
    }
    top_ = base;
    return map;
  }

  expr::Value NewObject(const std::vector<FactSpec>& specs, size_t base, const Path& path, bool build,
                        const std::vector<char>* wanted) {
    std::vector<std::pair<expr::Value, expr::Value>> entries;
    const std::vector<expr::Value>* names = nullptr;
    // Room is made with the first entry: many facts maps have none (no rule reads their facts).
    auto add = [&](size_t i, expr::Value v) {
      if (entries.empty()) {
        entries.reserve(specs.size());
        names = &scratch_->NamesOf(specs);
      }
      entries.emplace_back((*names)[i], std::move(v));
    };
    for (size_t i = 0; i < specs.size(); ++i) {
      const FactSpec& spec = specs[i];
      const Path fpath = Path::Member(&path, spec.name);
      const Field f = scratch_->fields[base + i];
      if (f.present()) {
        const bool build_fact = build && (wanted == nullptr || (*wanted)[i]);
        ItemsReading* items = nullptr;
        if (&specs == facts_specs_ && !facts_reading_->items[i].fields.empty()) {
          items = &facts_reading_->items[i];
        }
        expr::Value v = Fact(f.value, spec, fpath, build_fact, items);
        if (build_fact) add(i, std::move(v));
        continue;
      }
      if (spec.required) Absent(fpath);
      // When screening, a record that does not mention a fact leaves it open, optional or not.
      if (partial_) {
        const std::string p = fpath.ToString();
        if (!spec.required) app_->unknown.push_back(p);
        if (build) add(i, expr::Value::Unknown({p}));
      }
    }
    if (!build) return expr::Value();
    // No fact built (a measure whose rules read none of them, as certificates): the reader's one
    // empty map.
    if (entries.empty()) return scratch_->empty_facts;
    std::string err;
    return expr::Value::Map(expr::MapValue::Make(std::move(entries), &err));
  }

  // Facts whose declarations are all closed lists (most measures' facts) make a map that depends
  // only on whether each is absent, invalid (null) or which of its values it has: one of
  // Combinations(specs) maps, which are made once and shared, being immutable. This validates as
  // NewObject does and returns the same map; not for partial mode, where absent facts are
  // unknowns.
  expr::Value SharedObject(const std::vector<FactSpec>& specs, size_t combinations, const Field* fields,
                           const Path& path) {
    // The combination as a number, in the mixed radix of Combinations: per fact 0 for absent, 1
    // for invalid, 2 + k for its k-th value; the first fact is the lowest digit.
    size_t combination = 0;
    size_t scale = 1;
    for (size_t i = 0; i < specs.size(); ++i) {
      const FactSpec& spec = specs[i];
      size_t digit = 0;
      if (fields[i].present()) {
        const std::optional<size_t> k = ClosedValue(fields[i].value, spec, Path::Member(&path, spec.name));
        digit = k ? 2 + *k : 1;
      } else if (spec.required) {
        Absent(Path::Member(&path, spec.name));
      }
      combination += digit * scale;
      scale *= spec.enum_values.size() + 2;
    }
    std::vector<expr::Value>& maps =
        &specs == facts_specs_ ? facts_reading_->shared_maps : scratch_->shared_maps[&specs];
    if (maps.empty()) maps.resize(combinations);
    expr::Value& map = maps[combination];
    if (map.kind() != expr::Kind::kMap) map = ClosedMap(specs, combination);
    return map;
  }

  // Whether the items of a list whose declarations are `specs`, built with the fields `fields`,
  // can share maps (ItemsReading::shared): each built field a closed string or a date, at most
  // one date, so that their values make one number that names the map (SharedItem).
  static bool ShareableItems(const std::vector<FactSpec>& specs, const std::vector<char>& fields) {
    uint64_t closed = 1;
    int dates = 0;
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!fields[i]) continue;
      if (specs[i].type == FactSpec::Type::kDate) {
        ++dates;
      } else if (specs[i].type == FactSpec::Type::kString && !specs[i].enum_values.empty()) {
        closed *= specs[i].enum_values.size() + 2;
      } else {
        return false;
      }
      if (dates > 1 || closed > (uint64_t{1} << 24)) return false;
    }
    return true;
  }
  // A built field's value as a digit of that number: 0 absent, 1 invalid (null), then 2 + the
  // place of a closed value in its list, or 2 + the day of a date (shifted to be positive).
  static constexpr int64_t kDayShift = int64_t{1} << 31;
  static uint64_t ItemRadix(const FactSpec& spec) {
    return spec.type == FactSpec::Type::kDate ? uint64_t{1} << 33 : spec.enum_values.size() + 2;
  }

  // An item of a list read field by field, validated as NewObject does, and its map: the one
  // made before for the same values of its built fields.
  expr::Value SharedItem(const std::vector<FactSpec>& specs, const Field* fields, const Path& path,
                         ItemsReading* items) {
    uint64_t code = 0, scale = 1;
    for (size_t i = 0; i < specs.size(); ++i) {
      const FactSpec& spec = specs[i];
      const bool built = items->fields[i];
      if (!fields[i].present()) {
        if (spec.required) Absent(Path::Member(&path, spec.name));
      } else if (!built) {
        Fact(fields[i].value, spec, Path::Member(&path, spec.name), false);
      } else if (spec.type == FactSpec::Type::kDate) {
        const std::optional<policy::Date> d = DateFact(fields[i].value, spec, Path::Member(&path, spec.name));
        code += (d ? 2 + static_cast<uint64_t>(d->days + kDayShift) : 1) * scale;
      } else {
        const std::optional<size_t> k = ClosedValue(fields[i].value, spec, Path::Member(&path, spec.name));
        code += (k ? 2 + *k : 1) * scale;
      }
      if (built) scale *= ItemRadix(spec);
    }
    auto it = items->maps.find(code);
    if (it != items->maps.end()) return it->second;
    expr::Value map = ItemMap(specs, code, items->fields);
    if (items->maps.size() < ItemsReading::kMostShared) items->maps.emplace(code, map);
    return map;
  }

  // The map of an item whose built fields have the values `code` names (SharedItem), with the
  // entries NewObject would make.
  expr::Value ItemMap(const std::vector<FactSpec>& specs, uint64_t code, const std::vector<char>& built) {
    std::vector<std::pair<expr::Value, expr::Value>> entries;
    const std::vector<expr::Value>& names = scratch_->NamesOf(specs);
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!built[i]) continue;
      const FactSpec& spec = specs[i];
      const uint64_t radix = ItemRadix(spec);
      const uint64_t digit = code % radix;
      code /= radix;
      if (digit == 1) entries.emplace_back(names[i], expr::Value());
      if (digit < 2) continue;
      if (spec.type == FactSpec::Type::kDate) {
        entries.emplace_back(names[i], DateValue(policy::Date{static_cast<int64_t>(digit - 2) - kDayShift}));
      } else {
        entries.emplace_back(names[i], scratch_->ClosedValueOf(spec, digit - 2));
      }
    }
    if (entries.empty()) return scratch_->empty_facts;
    std::string err;
    return expr::Value::Map(expr::MapValue::Make(std::move(entries), &err));
  }

  // One item as the ledger keys it: its key, type and date, each when it is readable.
  void TakeItem(const json::Object& obj, const Field* fields) {
    const MeasureReading& r = *items_reading_;
    Item& it = items_->emplace_back();
    std::string_view value;
    if (ItemString(obj, fields, r.key, r.item_key, &value)) {
      if (policy::IsMatchKey(value)) {
        it.key.assign(value);
      } else {
        it.key = policy::MatchKey(value);
      }
    }
    if (ItemString(obj, fields, r.type, "type", &value)) it.type.assign(value);
    policy::Date issued;
    if (ItemString(obj, fields, r.issued_on, "issued_on", &value) && scratch_->dates.Parse(value, &issued)) {
      it.issued_on = issued;
    }
  }
  // An item's field `name` as a string: the member found for its declaration (`at`), or, for a
  // field the policy does not declare (which screening lets pass), the object's first member of
  // that name.
  static bool ItemString(const json::Object& obj, const Field* fields, size_t at, std::string_view name,
                         std::string_view* out) {
    json::Element e;
    if (at != MeasureReading::kNone) {
      if (!fields[at].seen) return false;
      e = fields[at].value;
    } else if (!FirstMember(obj, name, &e)) {
      return false;
    }
    return e.GetString(out);
  }

  // The number of maps SharedObject can make for `specs`, or 0 if some fact is not a closed list
  // or there are too many to keep a slot for each.
  static size_t Combinations(const std::vector<FactSpec>& specs) {
    constexpr size_t kMaxCombinations = 256;
    size_t combinations = 1;
    for (const FactSpec& spec : specs) {
      if (spec.type != FactSpec::Type::kString || spec.enum_values.empty()) return 0;
      combinations *= spec.enum_values.size() + 2;
      if (combinations > kMaxCombinations) return 0;
    }
    return combinations;
  }

  // The map of a combination (SharedObject), with the entries NewObject would make.
  expr::Value ClosedMap(const std::vector<FactSpec>& specs, size_t combination) {
    std::vector<std::pair<expr::Value, expr::Value>> entries;
    // The reader's own values, not the policy's (see Scratch::empty_facts).
    const std::vector<expr::Value>& names = scratch_->NamesOf(specs);
    for (size_t i = 0; i < specs.size(); ++i) {
      const FactSpec& spec = specs[i];
      const size_t radix = spec.enum_values.size() + 2;
      const size_t digit = combination % radix;
      combination /= radix;
      if (digit == 1) entries.emplace_back(names[i], expr::Value());
      if (digit >= 2) entries.emplace_back(names[i], scratch_->ClosedValueOf(spec, digit - 2));
    }
    std::string err;
    return expr::Value::Map(expr::MapValue::Make(std::move(entries), &err));
  }

 private:
  Application* app_;
  bool partial_;
  Scratch* scratch_;
  const ApplicationReader& reader_;
  size_t top_ = 0;                                 // scratch_->fields in use
  const MeasureReading* items_reading_ = nullptr;  // TakeItems's
  std::vector<Item>* items_ = nullptr;
  const std::vector<FactSpec>* facts_specs_ = nullptr;  // KeepFactsMaps's
  MeasureReading* facts_reading_ = nullptr;
};

ApplicationReader::ApplicationReader(const policy::RuleSet& rules, bool partial)
    : rules_(rules),
      partial_(partial),
      parser_(std::make_unique<simdjson::dom::parser>()),
      scratch_(std::make_unique<Scratch>()) {
  readings_.resize(rules.measures.size());
  IndexData(rules.data);
}

ApplicationReader::~ApplicationReader() = default;

static_assert(ApplicationReader::kPadding >= simdjson::SIMDJSON_PADDING);
static_assert(ApplicationReader::kPadding >= json::Tape::kPadding);

void ApplicationReader::Read(std::string_view line, Application* app, bool padded) {
  app->Clear();
  app->partial = partial_;
  Validator v(app, partial_, scratch_.get(), *this);
  json::Object root;
  if (!ParseObject(line, padded, &root, &v)) return;
  std::array<Field, kRootFields> top;
  FindFields<kRootFields, RootFieldOf>(root, &top, [&](std::string_view key, const json::Element&, bool repeated) {
    repeated ? v.Repeated({nullptr, key}) : v.Unknown(nullptr, key);
  });
  if (top[kId].present()) {
    ReadId(top[kId].value, app, &v);
  } else {
    v.Missing({nullptr, "id"});
  }
  json::Object applicant;
  if (!top[kApplicant].present()) {
    v.Missing({nullptr, "applicant"});
  } else if (v.ObjectOf(top[kApplicant].value, {nullptr, "applicant"}, &applicant)) {
    ReadApplicant(applicant, app, &v);
  }
  // The measure is what the record is about: without it nothing can be screened either.
  const policy::Measure* measure = nullptr;
  if (top[kMeasure].present()) {
    measure = ReadMeasure(top[kMeasure].value, app, &v);
  } else {
    v.Missing({nullptr, "measure"});
  }
  if (top[kSubject].present()) {
    ReadSubject(top[kSubject].value, app, &v);
  } else {
    v.Absent({nullptr, "subject"});
  }
  if (auto d = v.Date(top[kObtainedOn], {nullptr, "obtained_on"}, true)) {
    app->obtained_on = *d;
    v.NotAfterEvaluation({nullptr, "obtained_on"}, *d);
  }
  if (auto d = v.Date(top[kSubmittedOn], {nullptr, "submitted_on"}, false)) {
    app->submitted_on = *d;
    v.NotAfterEvaluation({nullptr, "submitted_on"}, *d);
  }
  if (top[kRequestedFen].present())
    app->requested_fen = v.PositiveInteger(top[kRequestedFen].value, {nullptr, "requested_fen"});
  if (top[kReview].present()) ReadReview(top[kReview].value, app, &v);
  json::Object facts;
  const bool has_facts = top[kFacts].present() && v.ObjectOf(top[kFacts].value, {nullptr, "facts"}, &facts);
  ReadFacts(has_facts ? &facts : nullptr, measure, app, &v);
}

// The scanner and simdjson may read padding past the line, whatever it holds: unless the caller
// promises it, the line is copied into a buffer that only ever grows. The scanner takes the
// common lines; simdjson's DOM the others, and says why a line is not JSON.
bool ApplicationReader::ParseObject(std::string_view line, bool padded, json::Object* root, Validator* v) {
  const char* text = line.data();
  if (!padded) {
    std::string& buffer = scratch_->line;
    if (buffer.size() < line.size() + kPadding) buffer.resize(line.size() + kPadding);
    if (!line.empty()) std::memcpy(buffer.data(), line.data(), line.size());
    text = buffer.data();
  }
  json::Tape& tape = scratch_->tape;
  if (!tape.Scan({text, line.size()})) {
    simdjson::dom::element doc;
    if (const auto error = parser_->parse(text, line.size(), false).get(doc); error != simdjson::SUCCESS) {
      // A number 64 bits cannot hold is the field's fault, not the line's: read with a stand-in
      // that the field's validation refuses.
      std::string& in_range = scratch_->in_range;
      if (!json::NumbersInRange(line, &in_range) || parser_->parse(in_range).get(doc) != simdjson::SUCCESS) {
        v->NotJson(error);
        return false;
      }
    }
    tape.FromDom(doc);
  }
  if (!tape.root().GetObject(root)) {
    v->Add("", "not_object", "该行不是 JSON 对象", "the line is not a JSON object");
    return false;
  }
  return true;
}

void ApplicationReader::ReadId(const json::Element& e, Application* app, Validator* v) {
  std::string_view s;
  if (!e.GetString(&s)) return v->WrongType({nullptr, "id"}, "字符串", "a string");
  if (Blank(s)) v->Empty({nullptr, "id"});
  app->id.emplace(s);
}

void ApplicationReader::ReadApplicant(const json::Object& applicant, Application* app, Validator* v) {
  std::array<Field, kApplicantFields> a;
  std::vector<std::string_view> extra_seen;
  auto other = [&](std::string_view key, const json::Element& value, bool repeated) {
    ReadApplicantFact(key, value, repeated, &extra_seen, app, v);
  };
  FindFields<kApplicantFields, ApplicantFieldOf>(applicant, &a, other);
  // The strings below are copied with append: Clear left them empty with their buffers.
  if (auto uscc = v->String(a[kUscc], {nullptr, "applicant.uscc"}, true)) {
    app->uscc.append(*uscc);
    if (const UsccProblem problem = CheckUscc(*uscc); problem != UsccProblem::kNone) {
      v->InvalidUscc(problem, uscc->size());
    }
  }
  if (auto name = v->String(a[kName], {nullptr, "applicant.name"}, true)) app->name.append(*name);
  if (auto kind = v->String(a[kKind], {nullptr, "applicant.kind"}, true)) {
    const auto& kinds = policy::ApplicantKinds();
    if (std::none_of(kinds.begin(), kinds.end(), [&](const std::string& k) { return SameBytes(k, *kind); })) {
      v->UnknownKind(*kind);
    } else {
      app->kind.append(*kind);
    }
  }
  if (auto b = v->Bool(a[kRegistered], {nullptr, "applicant.registered_in_shenzhen"}, true)) {
    app->registered_in_shenzhen = *b;
  }
  if (auto b = v->Bool(a[kDishonesty], {nullptr, "applicant.serious_dishonesty"}, true)) {
    app->serious_dishonesty = *b;
  }
  app->established_on = v->Date(a[kEstablishedOn], {nullptr, "applicant.established_on"}, false);
  if (auto d = v->String(a[kDistrict], {nullptr, "applicant.district"}, false)) app->district.append(*d);
}

// A member of the applicant that is none of its own fields: one of the further facts the policy
// declares (`seen`: those met so far), or else unknown.
void ApplicationReader::ReadApplicantFact(std::string_view key, const json::Element& value, bool repeated,
                                          std::vector<std::string_view>* seen, Application* app, Validator* v) {
  static constexpr Path kApplicantPath{nullptr, "applicant"};
  const Path path = Path::Member(&kApplicantPath, key);
  if (repeated || std::find(seen->begin(), seen->end(), key) != seen->end()) return v->Repeated(path);
  const FactSpec* spec = nullptr;
  for (const auto& f : rules_.policy->applicant_facts) {
    if (f.name == key) spec = &f;
  }
  if (spec == nullptr) return v->Unknown(&kApplicantPath, key);
  seen->push_back(key);
  if (value.IsNull()) return;
  expr::Value fact = v->Fact(value, *spec, path);
  if (fact.kind() != expr::Kind::kNull) app->applicant_facts.emplace_back(spec->name, std::move(fact));
}

const policy::Measure* ApplicationReader::ReadMeasure(const json::Element& e, Application* app, Validator* v) {
  const std::optional<std::string_view> m = v->StringOf(e, true, {nullptr, "measure"});
  if (!m) return nullptr;
  app->measure.append(*m);
  app->measure_index = rules_.MeasureIndex(*m);
  const policy::Measure* measure = app->measure_index == SIZE_MAX ? nullptr : rules_.measures[app->measure_index];
  if (measure == nullptr && rules_.cancelled.count(app->measure) == 0) v->UnknownMeasure(app->measure);
  return measure;
}

// The subject, and its key form for the ledger (policy/keys.h).
void ApplicationReader::ReadSubject(const json::Element& e, Application* app, Validator* v) {
  const std::optional<std::string_view> s = v->StringOf(e, true, {nullptr, "subject"});
  if (!s) return;
  app->subject.append(*s);
  if (policy::IsMatchKey(*s)) {
    app->subject_key.append(*s);
  } else {
    app->subject_key = policy::MatchKey(*s);
    if (app->subject_key.empty()) v->Empty({nullptr, "subject"});
  }
}

// `facts` null: the application has no facts object (absent, or not an object).
void ApplicationReader::ReadFacts(const json::Object* facts, const policy::Measure* measure, Application* app,
                                  Validator* v) {
  if (measure == nullptr) {
    app->facts = scratch_->empty_facts;
    return;
  }
  MeasureReading& reading = Reading(*measure, app->measure_index);
  if (reading.item_fields != nullptr) v->TakeItems(&reading, &app->items);
  v->KeepFactsMaps(&measure->facts, &reading);
  // Screening builds every fact: an unknown one must reach the rules as an unknown.
  app->facts = v->Object(facts, measure->facts, {nullptr, "facts"}, true, partial_ ? nullptr : &reading.read);
  if (!app->errors.empty() || facts == nullptr) {
    app->items.clear();
    return;
  }
  // The level from the line itself (the facts map holds only what rules read): the first member
  // of its name, as in the facts map.
  if (!measure->level_fact.empty()) ReadLevel(*facts, *measure, app);
}

// The level as the policy's data spells it, when the level fact is a string.
void ApplicationReader::ReadLevel(const json::Object& facts, const policy::Measure& m, Application* app) const {
  json::Element e;
  std::string_view value;
  if (!FirstMember(facts, m.level_fact, &e) || !e.GetString(&value)) return;
  const FactSpec* spec = nullptr;
  for (const auto& f : m.facts) {
    if (SameBytes(f.name, m.level_fact)) spec = &f;
  }
  if (spec != nullptr && spec->match != FactSpec::Match::kExact) {
    app->level = Canonical(value, spec->match);
  } else {
    app->level.append(value);
  }
}

// {"passed": bool, "note": string}: the experts' finding (CONTRACT §2).
void ApplicationReader::ReadReview(const json::Element& e, Application* app, Validator* v) {
  json::Object review;
  if (!e.GetObject(&review)) return v->WrongType({nullptr, "review"}, "对象", "an object");
  // A finding without `passed` is missing it; null is absent (CONTRACT §6), so {"passed": null}
  // is no finding at all.
  bool has_passed = false, passed_refused = false, others = false;
  std::vector<std::string_view> seen;
  static constexpr Path kReviewPath{nullptr, "review"};
  for (const auto [key, value] : review) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      v->Repeated(Path::Member(&kReviewPath, key));
      continue;
    }
    seen.push_back(key);
    if (value.IsNull()) continue;
    if (key != "passed") others = true;
    if (key == "passed") {
      bool b;
      if (!value.GetBool(&b)) {
        v->WrongType({nullptr, "review.passed"}, "是或否（true 或 false）", "true or false");
        passed_refused = true;
        continue;
      }
      has_passed = true;
      app->review_passed = b;
    } else if (key == "note") {
      std::string_view note;
      if (!value.GetString(&note)) {
        v->WrongType({nullptr, "review.note"}, "字符串", "a string");
        continue;
      }
      app->review_note.assign(note);
    } else {
      v->Unknown(&kReviewPath, key);
    }
  }
  if (!has_passed && !passed_refused && others) v->Missing({nullptr, "review.passed"});
}

expr::Value ApplicationReader::CanonicalValue(std::string_view value, policy::FactSpec::Match match) const {
  const bool standard = match == policy::FactSpec::Match::kStandard;
  const auto& known = standard ? standards_ : keys_;
  // A value already in key form (most are) is looked up as it is, without making its key.
  if (!standard && policy::IsMatchKey(value)) {
    auto it = known.find(value);
    return it != known.end() ? it->second : expr::Value::String(std::string(value));
  }
  std::string key = standard ? policy::StandardKey(value) : policy::MatchKey(value);
  auto it = known.find(key);
  return it != known.end() ? it->second : expr::Value::String(std::move(key));
}

void ApplicationReader::IndexData(const expr::Value& v) {
  policy::ForEachDataString(v, [&](const std::string& s) {
    // A value of the reader's own, not the rules' one: readers run on different threads, and
    // copies of one shared value would contend for its reference count.
    const expr::Value own = expr::Value::String(s);
    keys_.emplace(policy::MatchKey(s), own);
    standards_.emplace(policy::StandardKey(s), own);
  });
}

ApplicationReader::MeasureReading& ApplicationReader::Reading(const policy::Measure& m, size_t index) {
  std::unique_ptr<MeasureReading>& kept = readings_[index];
  if (kept != nullptr) return *kept;
  kept = std::make_unique<MeasureReading>();
  MeasureReading& reading = *kept;
  // The facts some rule of the measure reads: its conditions, its amount, the guide's
  // conditions for it. The level is always built (it is a closed value, and cheap).
  // A list of objects read only field by field by every rule that reads it is built with those
  // fields of its items; read in any other way by one rule, whole.
  std::vector<char>& read = reading.read;
  read.assign(m.facts.size(), 0);
  reading.items.resize(m.facts.size());
  std::vector<char> whole(m.facts.size(), 0);
  auto note = [&](const policy::Condition& c) {
    for (size_t i = 0; i < m.facts.size(); ++i) {
      const policy::FactSpec& fact = m.facts[i];
      if (!c.reads_all_facts && std::find(c.facts_read.begin(), c.facts_read.end(), fact.name) == c.facts_read.end()) {
        continue;
      }
      read[i] = 1;
      auto it = std::find_if(c.item_fields_read.begin(), c.item_fields_read.end(),
                             [&](const auto& f) { return f.first == fact.name; });
      if (c.reads_all_facts || it == c.item_fields_read.end() || !fact.list_of_objects) {
        whole[i] = 1;
        continue;
      }
      std::vector<char>& fields = reading.items[i].fields;
      fields.resize(fact.fields.size(), 0);
      for (size_t j = 0; j < fact.fields.size(); ++j) {
        if (std::find(it->second.begin(), it->second.end(), fact.fields[j].name) != it->second.end()) fields[j] = 1;
      }
    }
  };
  for (const auto& c : m.conditions) note(c);
  if (m.amount) note(*m.amount);
  if (rules_.guide) {
    auto g = rules_.guide->conditions.find(m.id);
    if (g != rules_.guide->conditions.end()) {
      for (const auto& c : g->second) note(c);
    }
  }
  for (size_t i = 0; i < m.facts.size(); ++i) {
    ItemsReading& items = reading.items[i];
    if (whole[i]) items.fields.clear();
    if (!items.fields.empty()) items.shared = Validator::ShareableItems(m.facts[i].fields, items.fields);
  }
  for (size_t i = 0; i < m.facts.size(); ++i) {
    if (m.facts[i].name == m.level_fact) read[i] = 1;
    // The loader makes sure a per-item measure's items fact is a list of objects with its key.
    if (m.once == policy::OnceRule::kPerItem && m.facts[i].name == m.items_fact) {
      reading.item_fields = &m.facts[i].fields;
      reading.item_key = m.item_key;
    }
  }
  reading.combinations = Validator::Combinations(m.facts);
  if (reading.item_fields != nullptr) {
    const auto& fields = *reading.item_fields;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == m.item_key) reading.key = i;
      if (fields[i].name == "type") reading.type = i;
      if (fields[i].name == "issued_on") reading.issued_on = i;
    }
  }
  return reading;
}

}  // namespace qgrant::engine
