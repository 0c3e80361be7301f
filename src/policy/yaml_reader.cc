#include "policy/yaml_reader.h"

#include <utf8proc.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <sstream>

namespace qgrant::policy {

YAML::Node Child(const YAML::Node& map, std::string_view key) {
  if (map.IsDefined() && map.IsMap()) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

namespace {

// yaml-cpp's messages name its parser's states; say what the author most likely did, and keep
// the original words for searching.
std::string ExplainYamlError(const std::string& msg) {
  static const std::pair<const char*, const char*> kHints[] = {
      {"end of map flow not found", "a '{' mapping above is not closed with '}'"},
      {"end of sequence flow not found", "a '[' list above is not closed with ']'"},
      {"end of map not found",
       "this line does not fit the structure above: check its indentation, and look for an unclosed quote or bracket "
       "before it"},
      {"end of sequence not found",
       "this line does not fit the list above: check its indentation (list items start with '- ' at the same column)"},
      {"illegal tab when looking for indentation", "indent with spaces, not tabs"},
      {"illegal map value", "a ': ' here starts a second key on one line; quote the text if the colon belongs to it"},
  };
  for (const auto& [yaml, hint] : kHints) {
    if (msg == yaml) return std::string(hint) + " (" + msg + ")";
  }
  return msg;
}

// Levenshtein distance, for "did you mean" on misspelt keys.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

namespace {

// yaml-cpp keeps the last of two equal keys in a map without a word; an author who wrote a key
// twice must learn which one counts.
void ReportDuplicateKeys(const YamlReader& r, const YAML::Node& n, int depth) {
  if (depth > 64) return;
  if (n.IsMap()) {
    std::vector<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.IsScalar()) {
        const std::string& key = it->first.Scalar();
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
          r.Error(it->first,
                  "field '" + key + "' is given twice in the same map; remove one (only the last would count)");
        }
        seen.push_back(key);
      }
      ReportDuplicateKeys(r, it->second, depth + 1);
    }
  } else if (n.IsSequence()) {
    for (const auto& e : n) ReportDuplicateKeys(r, e, depth + 1);
  } else if (n.IsScalar() && n.Tag() == "?") {
    // A plain (unquoted) value with '#' right after a character: YAML keeps "#..." in the value,
    // so a comment written without a space before it silently changes an id, a code or a text.
    const std::string& s = n.Scalar();
    const size_t hash = s.find('#');
    if (hash != std::string::npos && hash > 0 && s[hash - 1] != ' ' && s[hash - 1] != '\t') {
      r.Error(n, "'" + s +
                     "': a '#' right after a value is part of the value in YAML, not a comment: put a space "
                     "before '#' for a comment, or quote the value if '#' belongs to it");
    }
  }
}

}  // namespace

namespace {

// Sees the file as events before it is loaded: a policy file is one document without anchors or
// aliases. An alias makes one node appear in many places, and a few nested ones ("billion
// laughs") make a tree of billions of nodes to walk; a second document would be silently ignored.
class StructureCheck : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 2) second_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Anchor(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (!alias_) alias_ = mark;
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    Anchor(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Anchor(mark, anchor);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Anchor(mark, anchor);
  }
  void OnMapEnd() override {}

  int documents_ = 0;
  std::optional<YAML::Mark> second_, alias_, anchor_;

 private:
  void Anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor && !anchor_) anchor_ = mark;
  }
};

}  // namespace

bool YamlReader::CheckStructure() {
  StructureCheck check;
  try {
    std::istringstream in(text_);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(check)) {
      if (check.documents_ > 2) break;
    }
  } catch (const YAML::Exception&) {
    return true;  // Load reports the syntax error with its place
  }
  bool ok = true;
  if (check.alias_ || check.anchor_) {
    const YAML::Mark& m = check.alias_ ? *check.alias_ : *check.anchor_;
    sink_->Error(file_, m.line + 1, m.column + 1,
                 "anchors and aliases (&name, *name) are not allowed in policy files: write each value out");
    ok = false;
  }
  if (check.second_) {
    sink_->Error(file_, check.second_->line + 1, check.second_->column + 1,
                 "a second YAML document ('---') in one file would be ignored: put each policy, guide or amendment in "
                 "its own file");
    ok = false;
  }
  return ok;
}

// The place of the first byte that is not UTF-8, or false: every text a person reads must be
// readable, and a policy file is read as UTF-8.
bool FindInvalidUtf8(std::string_view text, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t c;
    const utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                                static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (n <= 0) return true;
    if (c == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
    i += static_cast<size_t>(n);
  }
  return false;
}

bool YamlReader::Parse(YAML::Node* root) {
  // A carriage return alone ends a line (YAML 1.2, and files saved by old Mac editors), but
  // yaml-cpp knows only LF and CRLF and would read the whole file as one line.
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] != '\n')) text_[i] = '\n';
  }
  sink_->RememberText(file_, text_);
  if (int line, column; FindInvalidUtf8(text_, &line, &column)) {
    sink_->Error(file_, line, column, "the file is not UTF-8 text here: save it as UTF-8");
    return false;
  }
  if (!CheckStructure()) return false;
  try {
    *root = YAML::Load(text_);
  } catch (const YAML::ParserException& e) {
    sink_->Error(file_, e.mark.line + 1, e.mark.column + 1, "YAML syntax: " + ExplainYamlError(e.msg));
    return false;
  } catch (const YAML::Exception& e) {
    sink_->Error(file_, 0, 0, std::string("YAML: ") + e.what());
    return false;
  }
  ReportDuplicateKeys(*this, *root, 0);
  return true;
}

SourceRef YamlReader::Where(const YAML::Node& node) const {
  SourceRef r;
  r.file = file_;
  if (node.IsDefined()) {
    YAML::Mark m = node.Mark();
    if (m.line >= 0) {
      r.line = m.line + 1;
      r.column = m.column + 1;
    }
  }
  return r;
}

void YamlReader::Error(const YAML::Node& at, const std::string& message) const {
  SourceRef r = Where(at);
  sink_->Error(file_, r.line, r.column, message);
}

void YamlReader::Warning(const YAML::Node& at, const std::string& message) const {
  SourceRef r = Where(at);
  sink_->Warning(file_, r.line, r.column, message);
}

void YamlReader::CheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed,
                           const std::string& what) const {
  if (!map.IsMap()) return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.Scalar();
    bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (!ok) {
      std::string list, closest;
      size_t best = 3;  // suggest only a near miss: at most 2 edits
      for (const char* a : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(a);
        size_t d = EditDistance(key, a);
        if (d < best) best = d, closest = a;
      }
      std::string hint = closest.empty() || Child(map, closest).IsDefined() ? "" : "did you mean '" + closest + "'? ";
      Error(it->first, "unknown field '" + key + "' in " + what + " (" + hint + "allowed: " + list + ")");
    }
  }
}

std::optional<std::string> YamlReader::String(const YAML::Node& map, const char* key, bool required) const {
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(map, std::string("missing required field '") + key + "'");
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    Error(n, std::string("field '") + key + "' must be a text value");
    return std::nullopt;
  }
  if (required && n.Scalar().empty()) {
    Error(n, std::string("field '") + key + "' must not be empty");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int64_t> YamlReader::Int(const YAML::Node& map, const char* key, bool required) const {
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(map, std::string("missing required field '") + key + "'");
    return std::nullopt;
  }
  std::string s = n.IsScalar() ? n.Scalar() : "";
  std::string digits;
  for (char c : s) {
    if (c != '_') digits += c;  // 300_000_000 reads better for fen amounts
  }
  int64_t v = 0;
  auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (!n.IsScalar() || digits.empty() || res.ec != std::errc() || res.ptr != digits.data() + digits.size()) {
    Error(n, std::string("field '") + key + "' must be a whole number, found '" + s + "'");
    return std::nullopt;
  }
  // "100" in quotes is text: an amount of money is written as a number, as the engine reads
  // applications (CONTRACT §6: money is integers).
  if (n.Tag() == "!") {
    Error(n, std::string("field '") + key + "' must be a whole number, not text in quotes: found \"" + s + "\"");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> YamlReader::Bool(const YAML::Node& map, const char* key, bool required) const {
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(map, std::string("missing required field '") + key + "'");
    return std::nullopt;
  }
  if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) return n.Scalar() == "true";
  Error(n, std::string("field '") + key + "' must be true or false");
  return std::nullopt;
}

std::optional<Date> YamlReader::DateField(const YAML::Node& map, const char* key, bool required) const {
  auto s = String(map, key, required);
  if (!s) return std::nullopt;
  Date d;
  if (!ParseDate(*s, &d)) {
    Error(Child(map, key), std::string("field '") + key + "' must be a date YYYY-MM-DD, found '" + *s + "'");
    return std::nullopt;
  }
  return d;
}

std::optional<Text> YamlReader::TextField(const YAML::Node& map, const char* key, bool required) const {
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(map, std::string("missing required field '") + key + "' ({zh: ..., en: ...})");
    return std::nullopt;
  }
  if (!n.IsMap()) {
    Error(n, std::string("field '") + key + "' must give both languages: {zh: ..., en: ...}");
    return std::nullopt;
  }
  CheckKeys(n, {"zh", "en"}, std::string("'") + key + "'");
  Text t;
  bool ok = true;
  for (const char* lang : {"zh", "en"}) {
    YAML::Node l = Child(n, lang);
    if (!l.IsDefined() || l.IsNull() || !l.IsScalar() || l.Scalar().empty()) {
      Error(n, std::string("'") + key + "' has no " + (std::string(lang) == "zh" ? "Chinese (zh)" : "English (en)") +
                   " text");
      ok = false;
      continue;
    }
    (std::string(lang) == "zh" ? t.zh : t.en) = l.Scalar();
  }
  if (!ok) return std::nullopt;
  return t;
}

std::vector<std::string> YamlReader::StringList(const YAML::Node& map, const char* key, bool required) const {
  std::vector<std::string> out;
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(map, std::string("missing required field '") + key + "'");
    return out;
  }
  if (!n.IsSequence()) {
    Error(n, std::string("field '") + key + "' must be a list");
    return out;
  }
  for (const auto& e : n) {
    if (!e.IsScalar()) {
      Error(e, std::string("items of '") + key + "' must be text values");
      continue;
    }
    out.push_back(e.Scalar());
  }
  return out;
}

void YamlReader::ExprError(const YAML::Node& node, const std::string& source, const Diagnostic& d) const {
  SourceRef base = Where(node);
  YAML::Mark m = node.Mark();
  // Find the expression's line in the file after the scalar's start, so the caret lands on the
  // offending character even inside quotes or a block scalar.
  size_t line_start = 0;
  for (int i = 1; i < d.pos.line; ++i) {
    size_t nl = source.find('\n', line_start);
    if (nl == std::string::npos) break;
    line_start = nl + 1;
  }
  size_t line_end = source.find('\n', line_start);
  std::string expr_line =
      source.substr(line_start, line_end == std::string::npos ? std::string::npos : line_end - line_start);
  size_t from = m.pos >= 0 ? static_cast<size_t>(m.pos) : 0;
  size_t found = expr_line.empty() ? std::string::npos : text_.find(expr_line, from);
  size_t in_line = static_cast<size_t>(d.pos.offset) - line_start;
  if (found == std::string::npos) {
    // A folded block scalar (>-) joins lines, so the line is not in the file word for word:
    // look for the text at the error itself instead.
    size_t offset = std::min(static_cast<size_t>(std::max(d.pos.offset, 0)), source.size());
    std::string_view at = std::string_view(source).substr(offset);
    size_t len = 0;
    while (len < at.size() && len < 24 && at[len] != '\n' && at[len] != ' ') ++len;
    if (len > 0) {
      size_t hit = text_.find(at.substr(0, len), from);
      if (hit != std::string::npos) {
        found = hit;
        in_line = 0;
      }
    }
  }
  if (found != std::string::npos) {
    SourcePos p = LocateOffset(text_, static_cast<int32_t>(found + in_line));
    sink_->Error(file_, p.line, p.column, d.message);
  } else {
    sink_->Error(file_, base.line, base.column, d.message);
  }
}

}  // namespace qgrant::policy
