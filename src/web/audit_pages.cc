// The auditor's page: the audit log of GET /api/v1/audit, searchable by actor, action, object and
// date, with the chain's verification status. The chain is checked here from the API alone, as
// §7 describes it for any auditor: seq runs 1, 2, 3 … without gaps, each prev_hash is the hash
// before it (64 zeros first), and each hash is SHA-256 of prev_hash followed by the canonical JSON
// (RFC 8785) of [seq, at, actor, action, object, before, after].
#include <chrono>
#include <ctime>

#include "store/audit.h"
#include "store/crypto.h"
#include "store/jcs.h"
#include "web/html.h"
#include "web/site.h"

namespace qgrant::web {

namespace {

using nlohmann::json;
using server::Response;

std::string Str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

struct ChainStatus {
  bool ok = true;
  int64_t entries = 0;
  std::string head;  // the last hash when ok
  int64_t failed_seq = 0;
  std::string reason;
};

ChainStatus Verify(const std::vector<json>& entries) {
  ChainStatus s;
  std::string prev = store::kGenesisHash;
  int64_t expected_seq = 1;
  for (const auto& e : entries) {
    const int64_t seq = e.value("seq", int64_t{0});
    auto fail = [&](std::string why) {
      s.ok = false;
      s.failed_seq = seq;
      s.reason = std::move(why);
      return s;
    };
    if (seq != expected_seq)
      return fail("seq " + std::to_string(seq) + " where " + std::to_string(expected_seq) + " was due");
    if (Str(e, "prev_hash") != prev) return fail("prev_hash is not the hash of the entry before");
    const json fields = json::array({e["seq"], e["at"], e["actor"], e["action"], e["object"], e["before"], e["after"]});
    auto canonical = store::CanonicalJson(fields);
    if (!canonical.ok()) return fail(canonical.status().message());
    if (store::Sha256Hex(prev + *canonical) != Str(e, "hash")) return fail("hash does not match the entry's content");
    prev = Str(e, "hash");
    ++expected_seq;
    ++s.entries;
  }
  s.head = prev;
  return s;
}

bool Contains(const std::string& text, const std::string& part) {
  return part.empty() || text.find(part) != std::string::npos;
}

// The members of `after` that differ from `before`: "key: old → new".
std::string Diff(const json& before, const json& after) {
  std::string out;
  auto show = [](const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
  if (after.is_object()) {
    for (const auto& [k, v] : after.items()) {
      const bool had = before.is_object() && before.contains(k);
      if (had && before[k] == v) continue;
      out += "<li><code>" + Esc(k) + "</code>: " + (had ? Esc(show(before[k])) + " → " : "") + Esc(show(v)) + "</li>";
    }
  } else if (before.is_object()) {
    out += "<li>" + Esc(before.dump()) + " → null</li>";
  }
  return out.empty() ? "" : "<ul class=\"diff\">" + out + "</ul>";
}

std::string Now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buf;
}

Response AuditPage(const Site& site, const Visit& v) {
  if (!v.user) return site.SignInFirst(v);
  std::vector<json> entries;
  std::string after = "0";
  for (int page = 0; page < 2000; ++page) {
    ApiAnswer list = site.api().Call(v, "GET", "/api/v1/audit?limit=500&after=" + after);
    if (!list.ok()) return site.ErrorPage(v, list);
    for (const auto& e : list.body["items"]) entries.push_back(e);
    if (list.body["items"].empty() || !list.body["next_cursor"].is_string()) break;
    after = std::to_string(entries.back().value("seq", int64_t{0}));
  }
  const ChainStatus chain = Verify(entries);
  const Form q = Form::FromQuery(v.request.query);
  std::string main = "<h1>" + std::string(v.T("审计日志", "Audit log")) + "</h1>";
  if (chain.ok) {
    main += "<div class=\"success\" role=\"status\"><p><strong>" +
            std::string(v.T("审计链校验通过", "The audit chain verifies")) + "</strong>：" +
            std::to_string(chain.entries) + v.T(" 条记录，链头哈希 ", " entries, head hash ") +
            "<code class=\"hash\">" + Esc(chain.head) + "</code></p><p>" + v.T("校验时间：", "Checked at ") +
            DateHtml(Now(), v.en) + "</p></div>";
  } else {
    main += "<div class=\"banner\" role=\"alert\"><p><strong>" +
            std::string(v.T("审计链校验失败", "The audit chain does not verify")) + "</strong>：" +
            v.T("第 ", "entry ") + std::to_string(chain.failed_seq) + v.T(" 条：", ": ") + Esc(chain.reason) +
            "</p></div>";
  }
  main += "<form method=\"get\" action=\"/audit\" class=\"filters\">" +
          InputField("actor", v.T("操作人", "Actor"), "text", q.Get("actor"), {}, false) +
          InputField("action", v.T("操作", "Action"), "text", q.Get("action"), {}, false) +
          InputField("object", v.T("对象", "Object"), "text", q.Get("object"), {}, false, "",
                     v.T("如 application:… 或 round:…", "e.g. application:… or round:…")) +
          InputField("from", v.T("起始日期", "From"), "date", q.Get("from"), {}, false) +
          InputField("to", v.T("截止日期", "To"), "date", q.Get("to"), {}, false) + "<button type=\"submit\">" +
          v.T("查询", "Search") + "</button></form>";
  std::string rows;
  int shown = 0, matched = 0;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const json& e = *it;
    const std::string at = Str(e, "at"), day = at.substr(0, std::min<size_t>(10, at.size()));
    if (!Contains(Str(e, "actor"), q.Get("actor")) || !Contains(Str(e, "action"), q.Get("action")) ||
        !Contains(Str(e, "object"), q.Get("object")) || (!q.Get("from").empty() && day < q.Get("from")) ||
        (!q.Get("to").empty() && day > q.Get("to"))) {
      continue;
    }
    if (++matched > 500) continue;  // newest first; the rest are counted, not shown
    ++shown;
    rows += "<tr><td class=\"num\">" + std::to_string(e.value("seq", int64_t{0})) + "</td><td>" + DateHtml(at, v.en) +
            "</td><td>" + Esc(Str(e, "actor")) + "</td><td>" + Esc(Str(e, "action")) + "</td><td class=\"mono\">" +
            Esc(Str(e, "object")) + "</td><td>" + Diff(e["before"], e["after"]) + "</td><td><code class=\"hash\">" +
            Esc(Str(e, "hash")) + "</code></td></tr>";
  }
  main +=
      "<p>" + std::to_string(matched) + v.T(" 条符合条件", " matching entries") +
      (matched > shown ? std::string(v.T("，显示最新 ", "; the newest ")) + std::to_string(shown) + v.T(" 条", " shown")
                       : "") +
      "</p>";
  main += TableWrap(v.T("审计记录", "Audit entries"),
                    "<table class=\"audit\"><thead><tr><th scope=\"col\" class=\"num\">" +
                        std::string(v.T("序号", "Seq")) + "</th><th scope=\"col\">" + v.T("时间", "At") +
                        "</th><th scope=\"col\">" + v.T("操作人", "Actor") + "</th><th scope=\"col\">" +
                        v.T("操作", "Action") + "</th><th scope=\"col\">" + v.T("对象", "Object") +
                        "</th><th scope=\"col\">" + v.T("变更", "Change") + "</th><th scope=\"col\">" +
                        v.T("哈希", "Hash") + "</th></tr></thead><tbody>" + rows + "</tbody></table>");
  return site.Render(v, v.T("审计日志", "Audit log"), main);
}

}  // namespace

void AddAuditPages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/audit",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return AuditPage(s, v); },
      "the audit log and the chain's status");
}

}  // namespace qgrant::web
