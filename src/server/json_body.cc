#include "server/json_body.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "policy/keys.h"

namespace qgrant::server {

namespace {

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// A NUL character (\u0000) in a text: no field of the service holds one (PostgreSQL's text
// cannot store it, and C strings end at it), so it is the field's fault, named.
bool HasNul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

// The member a body is refused for, and the problem's title.
struct Refusal {
  FieldError field;
  std::string title;
};
Refusal NulIn(const std::string& path) {
  return {{path, "文本中不能含有空字符（U+0000）/ the text must not contain a NUL character (U+0000)"},
          "请求体的文本中有空字符 / a text in the body holds a NUL character"};
}

// simdjson keeps every member of an object as written, so a repeated name can be seen here
// while the document is copied into the nlohmann value handlers work with. `*refused` names the
// first member refused: repeated, or holding a NUL character.
bool Convert(simdjson::dom::element e, const std::string& path, nlohmann::json* out, Refusal* refused) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      *out = nlohmann::json::object();
      std::set<std::string_view> seen;
      for (auto field : simdjson::dom::object(e)) {
        const std::string child = Join(path, field.key);
        if (HasNul(field.key)) {
          *refused = NulIn(child);
          return false;
        }
        if (!seen.insert(field.key).second) {
          *refused = {{child, "成员名重复 / the member name is repeated"},
                      "请求体中有重复的成员名 / a member name is repeated in the body"};
          return false;
        }
        if (!Convert(field.value, child, &(*out)[std::string(field.key)], refused)) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      *out = nlohmann::json::array();
      size_t i = 0;
      for (auto item : simdjson::dom::array(e)) {
        out->push_back(nullptr);
        if (!Convert(item, path + "[" + std::to_string(i++) + "]", &out->back(), refused)) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::INT64:
      *out = int64_t(e);
      return true;
    case simdjson::dom::element_type::UINT64:
      *out = uint64_t(e);
      return true;
    case simdjson::dom::element_type::DOUBLE:
      *out = double(e);
      return true;
    case simdjson::dom::element_type::STRING:
      if (HasNul(std::string_view(e))) {
        *refused = NulIn(path);
        return false;
      }
      *out = std::string(std::string_view(e));
      return true;
    case simdjson::dom::element_type::BOOL:
      *out = bool(e);
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      *out = nullptr;
      return true;
  }
  return true;
}

// Reads `body` as nlohmann's parser does, keeping the path of the value being read, and stops at
// the first problem it finds: a syntax error (its byte), or a number no value of the service can
// hold: one beyond a double's range (1e400, -1e400), or one written as an integer beyond 64 bits
// (99999999999999999999999, which the parser would quietly read as a double). Never throws.
class Locator : public nlohmann::json_sax<nlohmann::json> {
 public:
  // Where the problem is: the byte it was found at (syntax errors), and the path of the number
  // that is out of range ("" for the root).
  size_t error_byte = std::string::npos;
  std::optional<std::string> number_out_of_range;

  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t& text) override {
    if (text.find_first_of(".eE") == string_t::npos) {
      number_out_of_range = Path();
      return false;
    }
    return Scalar();
  }
  bool string(string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool start_object(std::size_t) override { return Open(false); }
  bool key(string_t& name) override {
    frames_.back().key = name;
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(true); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    if (e.id == 406) {
      number_out_of_range = Path();
    } else {
      error_byte = position > 0 ? position - 1 : 0;
    }
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    size_t values = 0;  // values read so far (arrays): the index of the one being read
    std::string key;    // the member being read (objects)
  };

  // The path of the value the parser is reading now: the member's key, or the array's next index.
  std::string Path() const {
    std::string path;
    for (const Frame& f : frames_) {
      path = f.array ? path + "[" + std::to_string(f.values) + "]" : Join(path, f.key);
    }
    return path;
  }
  bool Scalar() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().values;
    return true;
  }
  bool Open(bool array) {
    // The container counts as a value of its parent once it is closed.
    frames_.push_back({array, 0, ""});
    return true;
  }
  bool Close() {
    frames_.pop_back();
    return Scalar();
  }

  std::vector<Frame> frames_;
};

// The answer to a body simdjson refused: a number out of range names its field; anything else
// is a syntax error whose line and column (in characters) are in the detail.
Response Unreadable(std::string_view body, simdjson::error_code error) {
  Locator locator;
  (void)nlohmann::json::sax_parse(body, &locator);
  const bool number_error = error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE;
  if (number_error && locator.number_out_of_range) {
    const std::string& field = *locator.number_out_of_range;
    std::vector<FieldError> errors;
    if (!field.empty()) {
      errors.push_back({field,
                        "数值超出可表示的范围：整数不超过 64 位，小数不超过 ±1.8e308 / the number is out of range: "
                        "integers fit in 64 bits, decimals within ±1.8e308"});
    }
    return Problem(400,
                   "请求体中的数值超出可表示的范围 / a number in the body is out of range" +
                       (field.empty() ? std::string() : ": " + field),
                   std::move(errors));
  }
  size_t at = std::min(locator.error_byte, body.size());  // none found: the body's end
  int line = 1, column = 1;
  for (size_t i = 0; i < at; ++i) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return Problem(400, "请求体不是有效的 JSON：第 " + std::to_string(line) + " 行第 " + std::to_string(column) +
                          " 列 / the body is not valid JSON: line " + std::to_string(line) + ", column " +
                          std::to_string(column) + " (" + simdjson::error_message(error) + ")");
}

}  // namespace

bool IsBlankText(std::string_view text) {
  // The key form trims white space and invisible characters after NFKC (U+3000 and the other
  // wide spaces become spaces): a text with nothing else is empty in it.
  return policy::MatchKey(text).empty();
}

std::optional<nlohmann::json> ParseJsonBody(std::string_view body, Response* problem) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string text(body);
  simdjson::dom::element root;
  if (auto error = parser.parse(text).get(root); error != simdjson::SUCCESS) {
    *problem = Unreadable(body, error);
    return std::nullopt;
  }
  nlohmann::json value;
  Refusal refused;
  if (!Convert(root, "", &value, &refused)) {
    *problem = Problem(400, refused.title, {refused.field});
    return std::nullopt;
  }
  // null counts as absent everywhere (§6): a body's null members are dropped here, once, so that
  // no handler takes `"reference": null` for a string or `"review": null` for a review.
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) it = it->is_null() ? value.erase(it) : std::next(it);
  }
  return value;
}

namespace {

bool HasType(const nlohmann::json& v, JsonType type) {
  switch (type) {
    case JsonType::kString:
      return v.is_string();
    case JsonType::kInteger:
      return v.is_number_integer();
    case JsonType::kBoolean:
      return v.is_boolean();
    case JsonType::kObject:
      return v.is_object();
    case JsonType::kArray:
      return v.is_array();
    case JsonType::kAny:
      return true;
  }
  return false;
}

const char* TypeName(JsonType type) {
  switch (type) {
    case JsonType::kString:
      return "应为字符串 / must be a string";
    case JsonType::kInteger:
      return "应为整数 / must be an integer";
    case JsonType::kBoolean:
      return "应为 true 或 false / must be true or false";
    case JsonType::kObject:
      return "应为对象 / must be an object";
    case JsonType::kArray:
      return "应为数组 / must be an array";
    case JsonType::kAny:
      return "";
  }
  return "";
}

}  // namespace

void CheckMembers(const nlohmann::json& value, const std::vector<MemberSpec>& spec, const std::string& path,
                  std::vector<FieldError>* errors) {
  if (!value.is_object()) {
    errors->push_back({path, TypeName(JsonType::kObject)});
    return;
  }
  for (const auto& [key, member] : value.items()) {
    bool known = false;
    for (const auto& s : spec) known = known || s.name == key;
    if (!known) errors->push_back({Join(path, key), "未知成员 / unknown member"});
  }
  for (const auto& s : spec) {
    auto it = value.find(s.name);
    const std::string child = Join(path, s.name);
    if (it == value.end() || it->is_null()) {
      if (s.required) errors->push_back({child, "必填 / required"});
      continue;
    }
    if (!HasType(*it, s.type)) {
      errors->push_back({child, TypeName(s.type)});
    } else if (s.members != nullptr && s.type == JsonType::kObject) {
      CheckMembers(*it, *s.members, child, errors);
    } else if (s.members != nullptr && s.type == JsonType::kArray) {
      for (size_t i = 0; i < it->size(); ++i)
        CheckMembers((*it)[i], *s.members, child + "[" + std::to_string(i) + "]", errors);
    }
  }
}

Response InvalidBody(std::vector<FieldError> errors) {
  std::string fields;
  for (const auto& e : errors) fields += (fields.empty() ? "" : ", ") + e.field;
  return Problem(400, "请求体有误 / the body is invalid: " + fields, std::move(errors));
}

nlohmann::json ParseJsonOrDiscarded(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace qgrant::server
