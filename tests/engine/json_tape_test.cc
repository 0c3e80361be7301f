// The scanner (Tape::Scan) against simdjson's DOM (Tape::FromDom): on every line the scanner
// takes, both must give the same nodes, since the application reader sees nothing else; and on
// every line simdjson refuses, the scanner must refuse too, so that the DOM says why.
#include "engine/json_tape.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "escaped_lines.h"
#include "workload.h"

namespace qgrant::engine::json {
namespace {

// The text followed by padding of `fill` bytes, which the scanner may load but must not read as
// part of the line.
struct Padded {
  Padded(std::string_view text, char fill) : buffer(std::string(text) + std::string(64, fill)), size(text.size()) {}
  std::string_view text() const { return {buffer.data(), size}; }
  std::string buffer;
  size_t size;
};

// What simdjson makes of the text: false if it is not JSON.
bool DomTape(simdjson::dom::parser* parser, std::string_view text, Tape* out) {
  simdjson::dom::element doc;
  if (parser->parse(text.data(), text.size(), true).get(doc) != simdjson::SUCCESS) return false;
  out->FromDom(doc);
  return true;
}

std::string Describe(std::span<const Node> nodes) {
  std::string out;
  for (const Node& n : nodes) {
    out.append(std::to_string(static_cast<int>(n.type))).append("/").append(std::to_string(n.size));
    out.append("/").append(std::to_string(n.skip));
    if (n.type == Type::kString) out.append("'").append(n.chars, n.size).append("'");
    if (n.type == Type::kInt64) out.append("=").append(std::to_string(n.int64));
    out += ' ';
  }
  return out;
}

// Whether the scanner takes `text` (with each kind of padding); when it does, its nodes must be
// the DOM's.
bool ScansAsTheDom(std::string_view text) {
  simdjson::dom::parser parser;
  Tape dom;
  const bool json = DomTape(&parser, text, &dom);
  int taken = 0;
  for (char fill : {' ', '"', '}', '1', '\\', '\0'}) {
    Padded padded(text, fill);
    Tape scanned;
    if (!scanned.Scan(padded.text())) continue;
    ++taken;
    EXPECT_TRUE(json) << "the scanner took what is not JSON: " << text;
    if (!json) continue;
    const auto a = scanned.nodes(), b = dom.nodes();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()))
        << text << "\nscanned: " << Describe(a) << "\ndom:     " << Describe(b);
  }
  EXPECT_TRUE(taken == 0 || taken == 6) << "the padding changed the scanner's answer: " << text;
  return taken != 0;
}

TEST(JsonTapeTest, ScansTheCommonShapesAsTheDomReadsThem) {
  for (
      const char* line : {
          R"({"id": "a1", "applicant": {"uscc": "91440300MA5XXXXXXR", "name": "深圳市示例科技有限公司"}})",
          R"({"id":"a1","n":0,"m":123456789012345678,"t":true,"f":false,"z":null})",
          R"( {"a" : [ 1 , 2 ,3 ] , "b":{ } , "c" :[ ] }  )",
          "{\"a\" :\"x\" ,\t\"b\" : [ {\"c\": \"日本語\"} , {\"c\": \"\xF0\x9F\x98\x80\"} ] }\r\n",
          R"({"a": 1, "a": 2, "": ""})",
          R"({"facts": {"certificates": [{"type": "x", "number": "N-1", "issued_on": "2026-01-01"}, {}]}})",
          R"({"list": [[[]], [{}], "s", 7, true, null]})",
          R"({"long": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})",
          "{\"x\": \"\x7f\"}",
          // Strings with bytes above 127 in different 64-byte words of the line.
          R"({"name": "深圳市", "pad": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "district": "龙岗区"})",
      }) {
    EXPECT_TRUE(ScansAsTheDom(line)) << line;
  }
}

// Escapes are decoded as the DOM decodes them, wherever the string is: a key, a value, an item.
TEST(JsonTapeTest, DecodesEscapesAsTheDomDoes) {
  for (const char* line : {
           R"({"a": "b\"c"})",
           R"({"a": "\"", "b": "\\", "c": "\\\"", "d": "x\\"})",
           R"({"a": "\/\b\f\n\r\t"})",
           R"({"a": "\u00e9\u00E9\u0041\u0000\u07ff\u0800\uffff\uFFFD"})",
           R"({"name": "\u6df1\u5733\u5e02\u7b2c25067\u53f7", "uscc": "914403K2KPEWE0G201"})",
           R"({"k\u0065y": [ "\"quoted\"", {"\"": "\\\""} ], "after": "plain", "n": 7})",
           "{\"a\": \"\\u00e9 \xE6\xB7\xB1\", \"b\": \"\xE6\xB7\xB1\"}",
           R"({"a": "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"", "b": "\""})",
       }) {
    EXPECT_TRUE(ScansAsTheDom(line)) << line;
  }
  // What the scanner leaves to the DOM: surrogates (a pair the DOM takes, a lone half it
  // refuses), escapes JSON does not have, \u without four hex digits, a backslash at the end.
  for (const char* line : {
           R"({"a": "\ud83d\ude00"})",
           R"({"a": "\ud83d"})",
           R"({"a": "\ude00"})",
           R"({"a": "\x41"})",
           R"({"a": "\u00g0"})",
           R"({"a": "\u00e"})",
           R"({"a": "\'"})",
           R"({"a": "\)",
           R"({"a": "b\"})",
           "{\"a\": \"\\\n\"}",
           "{\"a\": \"\\u00e9\xC3\"}",
       }) {
    EXPECT_FALSE(ScansAsTheDom(line)) << line;
  }
}

TEST(JsonTapeTest, LeavesEverythingElseToTheDom) {
  for (const std::string& line :
       {std::string(), std::string("   "), std::string("[]"), std::string("\"s\""), std::string("1"),
        std::string("{\"a\": \"\x01\"}"), std::string("{\"a\": \"\xC3\"}"), std::string("{\"a\": \"\xED\xA0\x80\"}"),
        std::string(R"({"a": 1.5})"), std::string(R"({"a": 1e3})"), std::string(R"({"a": -1})"),
        std::string(R"({"a": 01})"), std::string(R"({"a": 1234567890123456789})"), std::string(R"({"a": tru})"),
        std::string(R"({"a": truex})"), std::string(R"({"a": nul})"), std::string(R"({"a": 1,})"),
        std::string(R"({"a" 1})"), std::string(R"({a: 1})"), std::string(R"({"a": 1} x)"),
        // Valid, but more white space after a separator than one space.
        std::string("{\"a\":\t\"x\"}"), std::string(R"({"a": 1,  "b": 2})"), std::string(R"({"a":  1})"),
        std::string(R"({"a": 1}})"), std::string(R"({"a": [1 2]})"), std::string(R"({"a": "b)"),
        std::string(R"({"a": 1)"),
        std::string("{\"a\":\x0b"
                    "1}"),
        std::string("\xEF\xBB\xBF{}"), std::string(R"({"a": +1})"), std::string(17, '['),
        // Invalid UTF-8 after a valid string with bytes above 127, a 64-byte word later; a
        // sequence cut by the quotes between two strings; such bytes outside any string.
        "{\"a\": \"\xE6\xB7\xB1\", \"pad\": \"" + std::string(64, 'x') + "\", \"b\": \"\xE6\xB7\"}",
        std::string("{\"a\": \"\xE6\xB7\", \"b\": \"\xB1\"}"), std::string("{\"a\": 1}\xC3\xA9"),
        std::string("{\"a\": \xC3\xA9}")}) {
    EXPECT_FALSE(ScansAsTheDom(line)) << line;
  }
  // Nested deeper than kMaxDepth: the DOM's (its own limit is far higher).
  std::string deep = "{\"a\": ";
  for (int i = 0; i < Tape::kMaxDepth; ++i) deep += "[";
  for (int i = 0; i < Tape::kMaxDepth; ++i) deep += "]";
  EXPECT_FALSE(ScansAsTheDom(deep + "}"));
  std::string shallow = "{\"a\": ";
  for (int i = 1; i < Tape::kMaxDepth; ++i) shallow += "[";
  for (int i = 1; i < Tape::kMaxDepth; ++i) shallow += "]";
  EXPECT_TRUE(ScansAsTheDom(shallow + "}"));
  // Longer than kMaxScanned: the DOM's too, however plain.
  const std::string filler(Tape::kMaxScanned, 'x');
  EXPECT_TRUE(ScansAsTheDom("{\"a\": \"" + filler.substr(0, Tape::kMaxScanned - 10) + "\"}"));
  EXPECT_FALSE(ScansAsTheDom("{\"a\": \"" + filler + "\"}"));
}

// The line ends where its length says, whatever follows it: a line cut short is not completed
// by its padding.
// Numbers 64 bits cannot hold get stand-ins the DOM reads (and a validator refuses); numbers it
// holds, strings and text that is not a number are left alone.
TEST(JsonTapeTest, NumbersBeyondSixtyFourBitsGetStandIns) {
  struct Case {
    const char* text;
    const char* want;  // null: nothing replaced
  };
  const Case cases[] = {
      {R"({"a":1,"b":-2,"c":1.5e10,"d":9223372036854775807,"e":18446744073709551615})", nullptr},
      {R"({"a":-9223372036854775808,"b":1e-400,"c":0.0e999,"d":1e308})", nullptr},
      {R"({"a":18446744073709551616})", R"({"a":18446744073709551615})"},
      {R"({"a":-9223372036854775809,"b":2})", R"({"a":-9223372036854775808,"b":2})"},
      {R"({"a":1e400,"b":[-1E+999, 0.001e312]})", R"({"a":1e308,"b":[-1e308, 1e308]})"},
      {R"({"a":1e99999999999999999999,"b":1e-99999999999999999999})", R"({"a":1e308,"b":1e-99999999999999999999})"},
      {R"({"s":"99999999999999999999 \"1e400\"","n":1e400})", R"({"s":"99999999999999999999 \"1e400\"","n":1e308})"},
      {R"({"s":"1e400"})", nullptr},
      {R"({"a":01e400,"b":1e400.5})", R"({"a":01e308,"b":1e308.5})"},
  };
  for (const Case& c : cases) {
    std::string out;
    const bool replaced = NumbersInRange(c.text, &out);
    EXPECT_EQ(replaced, c.want != nullptr) << c.text;
    if (c.want == nullptr) continue;
    EXPECT_EQ(out, c.want) << c.text;
  }
  // What is replaced, the DOM reads.
  simdjson::dom::parser parser;
  std::string out;
  ASSERT_TRUE(NumbersInRange(R"({"a":[1e400,-99999999999999999999999],"b":{"c":123456789012345678901}})", &out));
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
}

TEST(JsonTapeTest, NeverReadsThePaddingAsTheLine) {
  const std::string line = R"({"a": "bc", "d": [12, true]})";
  for (size_t cut = 0; cut < line.size(); ++cut) {
    for (char fill : {' ', '"', '}', ']', '1', 'e', ','}) {
      Padded padded(line.substr(0, cut), fill);
      std::copy(line.begin() + static_cast<long>(cut), line.end(), padded.buffer.begin() + static_cast<long>(cut));
      Tape tape;
      EXPECT_FALSE(tape.Scan(padded.text())) << cut << " bytes with " << fill;
    }
  }
}

std::vector<std::string> WorkloadLines(size_t n) {
  bench::Workload workload(/*seed=*/11, /*invalid_rate=*/0.05, bench::Workload::UnitsFor(n, 0));
  std::vector<std::string> lines;
  for (size_t i = 0; i < n; ++i) lines.push_back(workload.Application(i));
  std::ifstream examples(std::string(QGRANT_SOURCE_DIR) + "/examples/applications.jsonl");
  for (std::string line; std::getline(examples, line);) lines.push_back(line);
  return lines;
}

// The line without the white space outside its strings (as JSON.stringify writes it).
std::string Compact(const std::string& line) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && (i == 0 || line[i - 1] != '\\')) in_string = !in_string;
    if (in_string || (c != ' ' && c != '\t')) out += c;
  }
  return out;
}

TEST(JsonTapeTest, ScansTheWorkloadAsTheDomReadsIt) {
  size_t taken = 0, compact_taken = 0, escaped_taken = 0, with_escapes = 0;
  const auto lines = WorkloadLines(5000);
  for (const std::string& line : lines) {
    taken += ScansAsTheDom(line);
    compact_taken += ScansAsTheDom(Compact(line));
    const std::string escaped = AsciiEscaped(line);
    with_escapes += escaped.find("\\u") != std::string::npos;
    escaped_taken += ScansAsTheDom(escaped);
  }
  // Most lines have the common shape, spaced, compact or with escapes (some of the workload's
  // broken lines are not JSON).
  EXPECT_GT(taken, lines.size() * 9 / 10);
  EXPECT_GT(compact_taken, lines.size() * 9 / 10);
  EXPECT_GT(escaped_taken, lines.size() * 9 / 10);
  EXPECT_GT(with_escapes, lines.size() * 9 / 10);  // the units' names
}

// Lines with a byte changed, removed or added where the scanner's decisions are made: whatever
// it takes must be the DOM's reading of it.
TEST(JsonTapeTest, MutatedLinesScanAsTheDomReadsThemOrNotAtAll) {
  std::mt19937_64 rng(5);
  const std::string interesting = "{}[]:,\" \t\r\n\\-+.eE0123456789tfnaul\x01\x7f\x80\xC3\xA9\xE6\xB7\xB1\xFF";
  size_t taken = 0, refused = 0;
  for (const std::string& line : WorkloadLines(400)) {
    for (int k = 0; k < 40; ++k) {
      std::string m = line;
      const size_t at = rng() % (m.size() + 1);
      const char c = interesting[rng() % interesting.size()];
      switch (rng() % 3) {
        case 0:
          if (at < m.size()) m[at] = c;
          break;
        case 1:
          if (at < m.size()) m.erase(at, 1);
          break;
        default:
          m.insert(at, 1, c);
      }
      ScansAsTheDom(m) ? ++taken : ++refused;
    }
  }
  EXPECT_GT(taken, 1000u);
  EXPECT_GT(refused, 1000u);
}

}  // namespace
}  // namespace qgrant::engine::json
