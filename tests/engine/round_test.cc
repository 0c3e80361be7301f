// The round driver (engine/round.h) against the one-shot path: on generated input spanning many
// batches, with repeats that meet the ledger, malformed and blank lines, its decisions are byte
// for byte those of Evaluator::Decide called line after line — traces included, for one round or
// several at once, for lines that are applications or units of several applications, on any
// number of threads; and on the benchmarks' own generated workload (bench/workload.h), on the dates
// and with the guide the benchmarks use. (tests/policy runs every policy case both ways, with the
// explanations.)
#include "engine/round.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/evaluator.h"
#include "engine/json_tape.h"
#include "engine/ledger.h"
#include "escaped_lines.h"
#include "policy/loader.h"
#include "rules_fixture.h"
#include "workload.h"

namespace qgrant::engine {
namespace {

class RoundTest : public ShippedPolicyTest {
 protected:
  // The dates and the guide bench/eval_bench.sh times the workload with.
  struct WorkloadCase {
    const char* as_of;
    std::shared_ptr<const policy::Guide> guide;
  };
  std::vector<WorkloadCase> WorkloadCases() {
    std::shared_ptr<const policy::Guide> guide;
    policy::DiagnosticSink sink;
    EXPECT_TRUE(policy::LoadGuideFile(std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand/guides/2026.yaml",
                                      *bundle_, &guide, &sink))
        << sink.Format();
    return {{"2026-06-01", nullptr}, {"2026-12-31", nullptr}, {"2026-06-01", guide}};
  }
  policy::RuleSet RulesFor(const WorkloadCase& c) {
    policy::Date as_of;
    EXPECT_TRUE(policy::ParseDate(c.as_of, &as_of));
    return policy::ResolveRules(*bundle_, c.guide, as_of);
  }
  // The benchmarks' workload: `ledger_rows` ledger lines, then `applications` application lines.
  static void WorkloadLines(uint64_t seed, uint64_t applications, uint64_t ledger_rows,
                            std::vector<std::string>* ledger_lines, std::vector<std::string>* lines) {
    bench::Workload workload(seed, /*invalid_rate=*/0.03, bench::Workload::UnitsFor(applications, ledger_rows));
    for (uint64_t i = 0; i < ledger_rows; ++i) ledger_lines->push_back(workload.LedgerEntry(i));
    for (uint64_t i = 0; i < applications; ++i) lines->push_back(workload.Application(i));
  }
};

// About `n` lines from examples/applications.jsonl, each with an id of its own; the same subject
// comes round again, so later applications meet earlier grants. Now and then a malformed line
// (not JSON, not an object, truncated) or a blank one.
std::vector<std::string> Generated(size_t n) {
  std::ifstream f(std::string(QGRANT_SOURCE_DIR) + "/examples/applications.jsonl");
  std::vector<std::string> examples;
  for (std::string line; std::getline(f, line);) examples.push_back(line);
  std::vector<std::string> lines;
  for (size_t k = 0; lines.size() < n; ++k) {
    std::string line = examples[k % examples.size()];
    line.replace(line.find("\"id\":\"") + 6, 0, std::to_string(k) + "-");
    lines.push_back(line);
    if (k % 97 == 0) lines.push_back("{\"id\":\"cut\",\"applicant\":{\"uscc\":");
    if (k % 211 == 0) lines.push_back("[1,2]");
    if (k % 389 == 0) lines.push_back("  ");
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines, const char* sep) {
  std::string out;
  for (const std::string& line : lines) out += line + sep;
  return out;
}

Ledger ExampleLedger() {
  Ledger ledger;
  EXPECT_TRUE(ledger.LoadFile(std::string(QGRANT_SOURCE_DIR) + "/examples/ledger.jsonl").ok());
  return ledger;
}

// One line per application: the driver's JSON lines, traces and all, are the one-shot path's.
TEST_F(RoundTest, DecidesAsTheOneShotPathOnGeneratedApplications) {
  const policy::RuleSet rules = Rules();
  const Evaluator evaluator(rules);
  const std::vector<std::string> lines = Generated(5000);
  const RoundDriver driver(evaluator);

  ApplicationReader reader(rules);
  Ledger ledger = ExampleLedger();
  std::string want;
  int64_t number = 0, outcomes[5] = {0, 0, 0, 0, 0};
  for (const std::string& line : lines) {
    ++number;
    if (line.find_first_not_of(' ') == std::string::npos) continue;
    Application app;
    reader.Read(line, &app);
    app.line = number;
    const Decision d = evaluator.Decide(app, &ledger, /*explain=*/true);
    ++outcomes[static_cast<int>(d.outcome)];
    JsonWriter out;
    driver.AppendJsonLine(d, true, &out);
    want.append(out.data(), out.size());
  }
  for (Outcome o : {Outcome::kEligible, Outcome::kIneligible, Outcome::kReferred, Outcome::kInvalid})
    EXPECT_GT(outcomes[static_cast<int>(o)], 0) << "outcome " << static_cast<int>(o) << " never decided";

  const std::string input = Join(lines, "\n");
  // On any number of threads; and with the ledger made room for from an estimate of the input's
  // lines (RoundOptions::expected_lines) that is far short, right or far over (0: none). The same
  // decisions, and the same entries in the end.
  const size_t n = lines.size();
  for (auto [workers, expected_lines] :
       {std::pair<size_t, size_t>{1, 0}, {2, 0}, {3, 0}, {2, 10}, {2, n}, {2, n * 50}}) {
    StringRoundSource source(input);
    RoundOptions options;
    options.workers = workers;
    options.expected_lines = expected_lines;
    options.trace = [](const Application&) { return true; };
    std::string got;
    options.write = [&](std::string_view bytes) { got.append(bytes); };
    Ledger round_ledger = ExampleLedger();
    RoundSummary summary;
    ASSERT_TRUE(driver.Run(&source, &round_ledger, options, &summary));
    EXPECT_EQ(got, want) << workers << " worker(s), expected_lines " << expected_lines;
    EXPECT_EQ(summary.decisions, static_cast<int64_t>(std::count(want.begin(), want.end(), '\n')));
    ASSERT_EQ(round_ledger.size(), ledger.size()) << "expected_lines " << expected_lines;
    for (size_t i = 0; i < ledger.size(); i += 97) {
      EXPECT_EQ(round_ledger.entry(i).application_id, ledger.entry(i).application_id) << i;
      EXPECT_EQ(round_ledger.entry(i).subject, ledger.entry(i).subject) << i;
    }
  }
}

// The benchmarks' own data (bench/workload.h: every measure, certificates, repeat applicants, a
// ledger of earlier awards from this and another policy, broken lines of every kind), decided by
// the batched path as `qgrant eval` runs it and by the one-shot path line after line: the same
// bytes, on the two dates and under the 2026 guide that bench/eval_bench.sh times.
TEST_F(RoundTest, DecidesAsTheOneShotPathOnTheBenchmarkWorkload) {
  constexpr uint64_t kApplications = 20000, kLedgerRows = 4000;
  std::vector<std::string> ledger_lines, lines;
  WorkloadLines(/*seed=*/7, kApplications, kLedgerRows, &ledger_lines, &lines);
  const std::string input = Join(lines, "\n");

  for (const WorkloadCase& c : WorkloadCases()) {
    SCOPED_TRACE(std::string("as of ") + c.as_of + (c.guide ? ", 2026 guide" : ""));
    const policy::RuleSet rules = RulesFor(c);
    const Evaluator evaluator(rules);
    const RoundDriver driver(evaluator);
    auto load_ledger = [&](Ledger* ledger) {
      ledger->CheckAgainst(&rules);
      for (size_t i = 0; i < ledger_lines.size(); ++i) {
        const Status st = ledger->LoadLine(ledger_lines[i], static_cast<int64_t>(i + 1));
        ASSERT_TRUE(st.ok()) << st.message();
      }
    };

    ApplicationReader reader(rules);
    Ledger ledger;
    load_ledger(&ledger);
    std::vector<std::string> want;
    int64_t outcomes[5] = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < lines.size(); ++i) {
      Application app;
      reader.Read(lines[i], &app);
      app.line = static_cast<int64_t>(i + 1);
      const Decision d = evaluator.Decide(app, &ledger, /*explain=*/false);
      ++outcomes[static_cast<int>(d.outcome)];
      JsonWriter out;
      driver.AppendJsonLine(d, false, &out);
      want.emplace_back(out.data(), out.size());
    }
    for (Outcome o : {Outcome::kEligible, Outcome::kIneligible, Outcome::kReferred, Outcome::kInvalid})
      EXPECT_GT(outcomes[static_cast<int>(o)], 0) << "outcome " << OutcomeName(o) << " never decided";

    StringRoundSource source(input);
    RoundOptions options;
    options.workers = 2;
    options.expected_lines = lines.size();
    std::string got;
    options.write = [&](std::string_view bytes) { got.append(bytes); };
    Ledger round_ledger;
    load_ledger(&round_ledger);
    RoundSummary summary;
    ASSERT_TRUE(driver.Run(&source, &round_ledger, options, &summary));
    std::vector<std::string> got_lines;
    for (size_t at = 0; at < got.size();) {
      const size_t end = got.find('\n', at);
      ASSERT_NE(end, std::string::npos) << "the output ends without a newline";
      got_lines.push_back(got.substr(at, end + 1 - at));
      at = end + 1;
    }
    ASSERT_EQ(got_lines.size(), want.size());
    int differences = 0;
    for (size_t i = 0; i < want.size() && differences < 3; ++i) {
      if (got_lines[i] != want[i]) {
        ++differences;
        ADD_FAILURE() << "line " << i + 1 << "\nbatched:  " << got_lines[i] << "one-shot: " << want[i];
      }
    }
    EXPECT_EQ(round_ledger.size(), ledger.size());
  }
}

// The line with one more space after each colon outside its strings: the same values, in a form
// the scanner (engine/json_tape.h) leaves to simdjson's DOM.
std::string Widened(const std::string& line) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) in_string = !in_string;
    out += line[i];
    if (!in_string && line[i] == ':') out += ' ';
  }
  return out;
}

// What the reader makes of a line does not depend on which parser read it: the workload's lines
// as the scanner reads them and the same lines read by simdjson's DOM decide alike, byte for byte
// (broken lines included), on the dates and with the guide the benchmarks use.
// An input whose first lines are all broken is sized for its rows by a sample from all over it
// (RoundOptions::sample): sized for its first batch, which adds nothing, the ledger grew on the
// in-order step and ended with room for nearly three times the rows. With the sample, the size
// is the sample's alone, whatever the order of the lines around it. Sizing changes no decision.
TEST_F(RoundTest, ASampleSizesASortedInputAsTheFirstBatchCannot) {
  constexpr uint64_t kApplications = 20000;
  std::vector<std::string> ledger_lines, lines;
  WorkloadLines(/*seed=*/11, kApplications, /*ledger_rows=*/0, &ledger_lines, &lines);
  std::vector<std::string> sample;
  for (size_t i = 0; i < lines.size(); i += lines.size() / 512) sample.push_back(lines[i]);
  const std::string as_generated = Join(lines, "\n");
  // Broken lines first: the first batch adds nothing.
  std::stable_partition(lines.begin(), lines.end(),
                        [](const std::string& l) { return l.find("\"measure\"") == std::string::npos; });
  const std::string sorted = Join(lines, "\n");
  const policy::RuleSet rules = RulesFor(WorkloadCases()[0]);
  const Evaluator evaluator(rules);
  const RoundDriver driver(evaluator);

  // The sorted input without a sample and with one; the input as generated with the same sample;
  // the sorted input with the sample, said to be four times as long.
  std::string outputs[4];
  size_t sized[4] = {0, 0, 0, 0}, added[4] = {0, 0, 0, 0};
  for (int run = 0; run < 4; ++run) {
    StringRoundSource source(run == 2 ? as_generated : sorted);
    RoundOptions options;
    options.workers = 2;
    options.expected_lines = lines.size() * (run == 3 ? 4 : 1);
    if (run > 0) options.sample = sample;
    options.write = [&](std::string_view bytes) { outputs[run].append(bytes); };
    Ledger ledger;
    RoundSummary summary;
    ASSERT_TRUE(driver.Run(&source, &ledger, options, &summary));
    sized[run] = ledger.RowsSizedFor();
    added[run] = ledger.size();
  }
  EXPECT_EQ(outputs[1], outputs[0]);
  EXPECT_GE(sized[1], added[1]);  // made once, before the first batch
  EXPECT_LT(sized[1], added[1] * 3 / 2);
  EXPECT_GT(sized[0], 2 * added[0]);  // sized for the first batch's none, then grown
  // Sized by the sample alone, whatever the order of the lines around it, at its rate.
  EXPECT_EQ(sized[2], sized[1]);
  EXPECT_GE(sized[2], added[2]);
  EXPECT_GT(sized[3], 3 * sized[1]);
}

// The round's eligible total is added up exactly or said to be too large, never saturated into a
// figure that looks real (CONTRACT §6: sums are checked, never wrapped): 9,000 and 10,000
// applications of a measure whose ceiling is 10^15 fen.
TEST_F(RoundTest, AnEligibleTotalBeyondSixtyFourBitsIsSaidToBe) {
  std::ifstream in(std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand/policy.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string ceiling = "ceiling_fen: 20_000_000\n    review:";
  const size_t at = yaml.find(ceiling);
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, ceiling.size(), "ceiling_fen: 1_000_000_000_000_000\n    review:");
  const std::string file = ::testing::TempDir() + "/huge_ceiling_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(file) << yaml;
  policy::PolicyBundle bundle;
  policy::DiagnosticSink sink;
  ASSERT_TRUE(policy::LoadBundle({file}, &bundle, &sink)) << sink.Format();
  std::remove(file.c_str());
  policy::Date day;
  ASSERT_TRUE(policy::ParseDate("2026-06-01", &day));
  const policy::RuleSet rules = policy::ResolveRules(bundle, nullptr, day);
  const Evaluator evaluator(rules);
  for (const int applications : {9000, 10000}) {
    std::string input;
    for (int i = 0; i < applications; ++i) {
      input += R"({"id":"H-)" + std::to_string(i) +
               R"(","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise",)"
               R"("registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"qi_demonstration",)"
               R"("subject":"QID-)" +
               std::to_string(i) + R"(","obtained_on":"2025-06-01"})" + "\n";
    }
    StringRoundSource source(input);
    RoundOptions options;
    options.workers = 2;
    Ledger ledger;
    RoundSummary summary;
    ASSERT_TRUE(RoundDriver(evaluator).Run(&source, &ledger, options, &summary));
    EXPECT_EQ(summary.count[static_cast<int>(Outcome::kEligible)], applications);
    if (applications == 9000) {
      EXPECT_FALSE(summary.eligible_overflow);
      EXPECT_EQ(summary.eligible_fen, int64_t{9000} * 1'000'000'000'000'000);
    } else {
      EXPECT_TRUE(summary.eligible_overflow);
    }
  }
}

TEST_F(RoundTest, ScannedAndDomReadLinesDecideAlike) {
  constexpr uint64_t kApplications = 10000, kLedgerRows = 2000;
  std::vector<std::string> ledger_lines, lines;
  WorkloadLines(/*seed=*/13, kApplications, kLedgerRows, &ledger_lines, &lines);
  size_t scanned = 0;
  for (const std::string& line : lines) {
    const std::string padded = line + std::string(json::Tape::kPadding, ' ');
    const std::string widened = Widened(line) + std::string(json::Tape::kPadding, ' ');
    json::Tape tape;
    scanned += tape.Scan(std::string_view(padded).substr(0, line.size()));
    EXPECT_FALSE(tape.Scan(std::string_view(widened).substr(0, widened.size() - json::Tape::kPadding))) << line;
  }
  EXPECT_GT(scanned, lines.size() * 9 / 10);

  for (const WorkloadCase& c : WorkloadCases()) {
    SCOPED_TRACE(std::string("as of ") + c.as_of + (c.guide ? ", 2026 guide" : ""));
    const policy::RuleSet rules = RulesFor(c);
    const Evaluator evaluator(rules);
    const RoundDriver driver(evaluator);
    ApplicationReader reader(rules);
    Ledger scanned_ledger, dom_ledger;
    for (Ledger* ledger : {&scanned_ledger, &dom_ledger}) {
      ledger->CheckAgainst(&rules);
      for (size_t i = 0; i < ledger_lines.size(); ++i) {
        ASSERT_TRUE(ledger->LoadLine(ledger_lines[i], static_cast<int64_t>(i + 1)).ok());
      }
    }
    auto decide = [&](const std::string& line, int64_t number, Ledger* ledger) {
      Application app;
      reader.Read(line, &app);
      app.line = number;
      JsonWriter out;
      driver.AppendJsonLine(evaluator.Decide(app, ledger, /*explain=*/true), true, &out);
      return std::string(out.view());
    };
    int differences = 0;
    for (size_t i = 0; i < lines.size() && differences < 3; ++i) {
      const int64_t number = static_cast<int64_t>(i + 1);
      const std::string by_scanner = decide(lines[i], number, &scanned_ledger);
      const std::string by_dom = decide(Widened(lines[i]), number, &dom_ledger);
      if (by_scanner != by_dom) {
        ++differences;
        ADD_FAILURE() << "line " << number << "\nscanned: " << by_scanner << "\nDOM:     " << by_dom;
      }
    }
    EXPECT_EQ(scanned_ledger.size(), dom_ledger.size());
  }
}

// Lines whose strings hold escapes, which the scanner decodes into a buffer of its own, decide as
// the same lines without them, byte for byte, when a batch's applications are all read before
// any is decided (the batched path, two workers).
TEST_F(RoundTest, EscapedLinesDecideAsPlainOnes) {
  constexpr uint64_t kApplications = 10000, kLedgerRows = 2000;
  std::vector<std::string> ledger_lines, lines;
  WorkloadLines(/*seed=*/17, kApplications, kLedgerRows, &ledger_lines, &lines);
  std::vector<std::string> escaped;
  size_t scanned = 0;
  for (const std::string& line : lines) {
    escaped.push_back(AsciiEscaped(line, "-"));
    const std::string padded = escaped.back() + std::string(json::Tape::kPadding, ' ');
    json::Tape tape;
    scanned += escaped.back().find("\\u") != std::string::npos &&
               tape.Scan(std::string_view(padded).substr(0, escaped.back().size()));
  }
  EXPECT_GT(scanned, lines.size() * 9 / 10);  // escaped, and taken by the scanner

  for (const WorkloadCase& c : WorkloadCases()) {
    SCOPED_TRACE(std::string("as of ") + c.as_of + (c.guide ? ", 2026 guide" : ""));
    const policy::RuleSet rules = RulesFor(c);
    const Evaluator evaluator(rules);
    const RoundDriver driver(evaluator);
    auto run = [&](const std::vector<std::string>& input) {
      Ledger ledger;
      ledger.CheckAgainst(&rules);
      for (size_t i = 0; i < ledger_lines.size(); ++i) {
        EXPECT_TRUE(ledger.LoadLine(ledger_lines[i], static_cast<int64_t>(i + 1)).ok());
      }
      const std::string text = Join(input, "\n");
      StringRoundSource source(text);
      RoundOptions options;
      options.workers = 2;
      options.trace = [](const Application&) { return true; };
      std::string out;
      options.write = [&](std::string_view bytes) { out.append(bytes); };
      RoundSummary summary;
      EXPECT_TRUE(driver.Run(&source, &ledger, options, &summary));
      return out;
    };
    const std::string plain = run(lines), from_escaped = run(escaped);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), '\n'), static_cast<long>(lines.size()));
    EXPECT_TRUE(plain == from_escaped)
        << "the first difference at byte "
        << std::mismatch(plain.begin(), plain.end(), from_escaped.begin(), from_escaped.end()).first - plain.begin();
  }
}

// Lines that are units of several applications, decided in two rounds at once (two versions of
// the rules, two ledgers): each round takes, in order, what the one-shot path decides under its
// rules alone.
TEST_F(RoundTest, SeveralRoundsOfUnitsDecideAsEachAlone) {
  const policy::RuleSet rules[2] = {Rules("2026-06-01"), Rules("2025-03-01")};
  const Evaluator evaluators[2] = {Evaluator(rules[0]), Evaluator(rules[1])};
  const std::vector<std::string> applications = Generated(4000);
  std::vector<std::string> units;  // 1 to 3 applications a line, tab-separated
  for (size_t k = 0; k < applications.size();) {
    const size_t take = std::min(applications.size() - k, 1 + k % 3);
    std::vector<std::string> unit(applications.begin() + k, applications.begin() + k + take);
    units.push_back(Join(unit, "\t"));
    units.back().pop_back();
    k += take;
  }

  std::vector<std::string> want[2];
  for (int r : {0, 1}) {
    ApplicationReader reader(rules[r]);
    Ledger ledger = ExampleLedger();
    for (const std::string& json : applications) {
      if (json.find_first_not_of(' ') == std::string::npos) continue;
      Application app;
      reader.Read(json, &app);
      JsonWriter out;
      RoundDriver(evaluators[r]).AppendJsonLine(evaluators[r].Decide(app, &ledger, false), false, &out);
      want[r].emplace_back(out.data(), out.size());
    }
  }

  const std::string input = Join(units, "\n");
  for (size_t workers : {1, 2}) {
    StringRoundSource source(input);
    RoundOptions options;
    options.workers = workers;
    options.read_unit = [](std::string_view line, size_t, RoundUnit* unit) {
      unit->applications.clear();
      for (size_t at = 0; at <= line.size();) {
        const size_t end = std::min(line.find('\t', at), line.size());
        if (line.substr(at, end - at).find_first_not_of(' ') != std::string_view::npos)
          unit->applications.emplace_back(line.substr(at, end - at));
        at = end + 1;
      }
    };
    std::vector<std::string> got[2];
    int64_t taken_units = 0;
    options.take_units = [&](std::span<const RoundUnit> chunk, std::span<const int64_t>) {
      taken_units += static_cast<int64_t>(chunk.size());
    };
    options.take = [&](size_t r, const RoundUnit* unit, int64_t, size_t index, const Application&, const Decision& d) {
      ASSERT_NE(unit, nullptr);
      ASSERT_LT(index, unit->applications.size());
      JsonWriter out;
      RoundDriver(evaluators[r]).AppendJsonLine(d, false, &out);
      got[r].emplace_back(out.data(), out.size());
    };
    Ledger ledgers[2] = {ExampleLedger(), ExampleLedger()};
    Ledger* pointers[] = {&ledgers[0], &ledgers[1]};
    RoundSummary summaries[2];
    ASSERT_TRUE(RoundDriver({&evaluators[0], &evaluators[1]}).Run(&source, pointers, options, summaries));
    EXPECT_EQ(taken_units, std::count_if(units.begin(), units.end(), [](const std::string& u) {
                return u.find_first_not_of(' ') != std::string::npos;  // a blank line is no unit
              }));
    for (int r : {0, 1}) {
      EXPECT_EQ(got[r], want[r]) << "round " << r << ", " << workers << " worker(s)";
      EXPECT_EQ(summaries[r].decisions, static_cast<int64_t>(want[r].size()));
    }
  }
  EXPECT_NE(want[0], want[1]);  // the two versions of the rules do decide differently
}

}  // namespace
}  // namespace qgrant::engine
