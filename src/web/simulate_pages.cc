// 政策测算 (cost simulation) for officers and auditors: the units of a registry — one shipped in
// examples/ or pasted — apply for every achievement they hold under the rules in force (baseline)
// and under a reform file from examples/ on top of them (src/simulate, as `qgrant simulate`
// does); the page shows the cost table by measure (units and amounts under each, the change,
// a total row) and the same figures as an SVG chart, with the scope line, or the CSV of them.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/money.h"
#include "policy/loader.h"
#include "simulate/report.h"
#include "simulate/simulation.h"
#include "web/html.h"
#include "web/site.h"

namespace qgrant::web {

namespace {

using server::Response;
using server::Role;
namespace fs = std::filesystem;

// The shipped files of examples/ ending in `suffix` whose name contains `part`, by name.
std::vector<std::pair<std::string, std::string>> Shipped(const Site& site, const std::string& suffix,
                                                         const std::string& part) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(site.options().examples_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(suffix) && name.find(part) != std::string::npos) out.emplace_back(name, name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Offered(const std::vector<std::pair<std::string, std::string>>& files, const std::string& name) {
  return std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.first == name; });
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Run {
  std::string error;  // what went wrong, for the page
  simulate::SimulationResult result;
};

// Runs the simulation: the service's policy as the baseline, the same policy with the reform
// file as the reform, both under the guide of `year` on `as_of`.
Run Simulate(const Site& site, const std::string& reform_file, const std::string& registry, const std::string& year,
             policy::Date as_of, bool en) {
  Run run;
  policy::PolicyBundle reform_bundle;
  policy::DiagnosticSink sink;
  const std::string reform_path = (fs::path(site.options().examples_dir) / reform_file).string();
  if (!policy::LoadBundle({site.options().policy_path, reform_path}, &reform_bundle, &sink)) {
    run.error = sink.Format();
    return run;
  }
  auto guide_of = [&](const policy::PolicyBundle& b) -> std::shared_ptr<const policy::Guide> {
    for (const auto& g : b.guides) {
      if (std::to_string(g->year) == year) return g;
    }
    return nullptr;
  };
  const policy::RuleSet baseline =
      policy::ResolveRules(site.service().bundle(), guide_of(site.service().bundle()), as_of);
  const policy::RuleSet reform = policy::ResolveRules(reform_bundle, guide_of(reform_bundle), as_of);
  std::string_view rest = registry;
  simulate::SimulationOptions options;
  options.threads = 1;  // a page's run must not take the server's cores
  auto result = simulate::Simulate(
      [&](std::string_view* line) {
        if (rest.empty()) return false;
        const size_t end = rest.find('\n');
        *line = rest.substr(0, end);
        if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        return true;
      },
      baseline, reform, engine::Ledger(), options);
  if (!result.ok()) {
    run.error = Side(result.status().message(), en);
    return run;
  }
  run.result = std::move(*result);
  return run;
}

std::string CostTable(const simulate::SimulationResult& r, bool en) {
  using simulate::kBaseline;
  using simulate::kReform;
  std::string rows;
  std::vector<Bar> bars;
  for (size_t i = 0; i < r.measures.size(); ++i) {
    const auto& m = r.measures[i];
    if (!m.Paid()) continue;
    const auto& b = r.scenarios[kBaseline].all.measures[i];
    const auto& f = r.scenarios[kReform].all.measures[i];
    // A measure no unit of the registry reaches under either rules adds nothing to the totals.
    if (b.units == 0 && f.units == 0) continue;
    const std::string title = en ? m.title.en : m.title.zh;
    rows += "<tr><th scope=\"row\">" + Esc(title) + "</th><td class=\"num\">" + std::to_string(b.units) +
            "</td><td class=\"num\">" + MoneyHtml(b.fen, en) + "</td><td class=\"num\">" + std::to_string(f.units) +
            "</td><td class=\"num\">" + MoneyHtml(f.fen, en) + "</td><td class=\"num\">" +
            MoneyHtml(f.fen - b.fen, en) + "</td></tr>";
    bars.push_back({title + Tr(en, "（现行）", " (baseline)"), b.fen});
    bars.push_back({title + Tr(en, "（改革）", " (reform)"), f.fen});
  }
  const auto& bt = r.scenarios[kBaseline].all.total;
  const auto& ft = r.scenarios[kReform].all.total;
  rows += "<tr class=\"total\"><th scope=\"row\">" + std::string(Tr(en, "合计", "Total")) + "</th><td class=\"num\">" +
          std::to_string(bt.units) + "</td><td class=\"num\">" + MoneyHtml(bt.fen, en) + "</td><td class=\"num\">" +
          std::to_string(ft.units) + "</td><td class=\"num\">" + MoneyHtml(ft.fen, en) + "</td><td class=\"num\">" +
          MoneyHtml(ft.fen - bt.fen, en) + "</td></tr>";
  const std::string caption =
      Tr(en, "现行与改革方案的资助成本（按措施；未列出的措施两种方案下均无单位符合条件）",
         "Cost by measure, baseline and reform (measures not listed have no eligible unit under either)");
  return "<div class=\"figure\">" +
         TableWrap(caption, "<table><caption>" + Esc(caption) + "</caption><thead><tr><th scope=\"col\">" +
                                std::string(Tr(en, "措施", "Measure")) + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "现行：单位数", "Baseline: units") + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "现行：金额", "Baseline: amount") + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "改革：单位数", "Reform: units") + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "改革：金额", "Reform: amount") + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "变化", "Change") + "</th></tr></thead><tbody>" + rows + "</tbody></table>") +
         BarChartSvg("chart-sim", caption, bars, en) + "</div>";
}

Response SimulatePage(const Site& site, const Visit& v, const Form& form, bool run) {
  if (!v.user) return site.SignInFirst(v);
  if (!(v.Is(Role::kOfficer) || v.Is(Role::kAdmin) || v.Is(Role::kAuditor))) {
    return site.Message(v, 403, v.T("无权操作", "Not allowed"),
                        v.T("政策测算供项目官员和审计人员使用。", "The simulation is for officers and auditors."));
  }
  const auto reforms = Shipped(site, ".yaml", "reform");
  const auto registries = Shipped(site, ".jsonl", "registry");
  const std::string today = policy::FormatDate(site.service().Today());
  const std::string year = GuideQuery(site).empty() ? "" : GuideQuery(site).substr(7);
  Errors errors;
  std::string result;
  if (run) {
    std::string registry;
    if (!form.Get("registry_text").empty()) {
      registry = form.Get("registry_text");
    } else if (Offered(registries, form.Get("registry"))) {
      registry = ReadFile(fs::path(site.options().examples_dir) / form.Get("registry"));
    } else {
      errors["registry"] = v.T("请选择登记库或粘贴登记库内容", "Choose a registry or paste one");
    }
    if (!Offered(reforms, form.Get("reform"))) errors["reform"] = v.T("请选择改革方案", "Choose a reform");
    policy::Date as_of;
    if (!policy::ParseDate(form.Get("as_of"), &as_of)) errors["as_of"] = v.T("请填写日期", "Enter a date");
    if (errors.empty()) {
      Run r = Simulate(site, form.Get("reform"), registry, year, as_of, v.en);
      if (!r.error.empty()) {
        result = "<p class=\"banner\" role=\"alert\">" + Esc(r.error) + "</p>";
      } else {
        const auto& s = r.result;
        if (form.Get("format") == "csv") {
          // The same figures as `qgrant simulate --csv` writes, to take to a spreadsheet.
          server::Response csv;
          csv.content_type = "text/csv; charset=utf-8";
          csv.body = simulate::RenderCsv(s, {simulate::kDistrict, simulate::kKind});
          csv.headers.emplace_back("Content-Disposition", "attachment; filename=\"simulation.csv\"");
          csv.headers.emplace_back("X-Content-Type-Options", "nosniff");
          return csv;
        }
        result = "<p class=\"scope\">" +
                 std::string(v.T("按登记库测算，不代表实际申报；金额为资助上限，未经预算分配。",
                                 "Computed over the registry, not actual applications; amounts are "
                                 "ceilings before any budget allocation.")) +
                 "</p><p>" + std::to_string(s.units) + v.T(" 家单位，", " units, ") +
                 std::to_string(s.scenarios[simulate::kBaseline].applications) +
                 v.T(" 项申报（每个方案）", " applications per scenario") +
                 (s.bad_lines > 0 ? "；" + std::to_string(s.bad_lines) + v.T(" 行无法读取", " unreadable lines") : "") +
                 "</p>" + CostTable(s, v.en);
      }
    }
  }
  std::vector<std::string> names = {"reform", "registry", "registry_text", "as_of"};
  std::string main =
      "<h1>" + std::string(v.T("政策测算", "Cost simulation")) + "</h1><p>" +
      v.T("比较现行政策与改革方案的资助成本。", "Compare the cost of the rules in force with a reform.") + "</p>" +
      ErrorSummary(errors, names, v.en);
  main +=
      FormStart(site, v, "/simulate", "novalidate") +
      SelectField("reform", v.T("改革方案（examples/ 中的文件）", "Reform (a file of examples/)"), reforms,
                  form.Has("reform") ? form.Get("reform") : (reforms.empty() ? "" : reforms[0].first), errors, true) +
      SelectField("registry", v.T("登记库（examples/ 中的文件）", "Registry (a file of examples/)"), registries,
                  form.Has("registry") ? form.Get("registry") : (registries.empty() ? "" : registries[0].first), errors,
                  false) +
      TextAreaField(
          "registry_text",
          v.T("或粘贴登记库（JSON Lines，每行一家单位）", "Or paste a registry (JSON Lines, one unit a line)"),
          form.Get("registry_text"), errors, false,
          v.T("填写后优先使用粘贴的内容", "When filled, it is used instead of the file")) +
      InputField("as_of", v.T("测算日期", "As of"), "date", form.Has("as_of") ? form.Get("as_of") : today, errors,
                 true) +
      "<button type=\"submit\">" + v.T("开始测算", "Run") +
      "</button><button type=\"submit\" name=\"format\" value=\"csv\" class=\"secondary\">" +
      v.T("下载 CSV", "Download CSV") + "</button></form>";
  if (!result.empty()) {
    main += "<section id=\"result\" aria-live=\"polite\"><h2>" + std::string(v.T("测算结果", "Result")) + "</h2>" +
            result + "</section>";
  }
  return site.Render(v, v.T("政策测算", "Cost simulation"), main, errors.empty() ? 200 : 400, !errors.empty());
}

}  // namespace

void AddSimulatePages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/simulate",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return SimulatePage(s, v, Form(), false); },
      "the cost simulation form");
  AddPage(
      router, site, "POST", "/simulate",
      [](const Site& s, const Visit& v, const server::Call&, const Form& form) {
        return SimulatePage(s, v, form, true);
      },
      "run a cost simulation");
}

}  // namespace qgrant::web
