// Approval and payment (CONTRACT §7 "Approval, ledger, payments"). After the notice has ended
// with every objection resolved, the officer approves the round: each noticed application becomes
// approved, its award enters the ledger (so later rounds' first-time, one-time, item-limit and
// double-benefit rules see it) and a pending payment is created. Finance records each payment's
// outcome; a failed payment may be tried again, a paid one is final.
#include <nlohmann/json.hpp>

#include "alloc/apportion.h"
#include "common/money.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

// The certificates an award pays, with their approved amounts, from the round's decision.
std::vector<std::pair<std::string, int64_t>> PaidItems(const json& decision) {
  std::vector<std::pair<std::string, int64_t>> items;
  if (!decision.contains("items") || !decision["items"].is_array()) return items;
  for (const auto& i : decision["items"]) {
    if (i.value("outcome", "") == "eligible" && i.value("amount_fen", int64_t{0}) > 0) {
      items.emplace_back(i.value("number", std::string()), i["amount_fen"].get<int64_t>());
    }
  }
  return items;
}

// The award's §3 entries: one, or one per paid certificate with the allocated amount split in
// proportion to the certificates' amounts by largest remainders, ties in certificate order.
std::vector<store::LedgerEntry> LedgerEntries(const Service& service, const store::Round& round,
                                              const store::Application& a) {
  const json decision = json::parse(a.decision.value_or("{}"), nullptr, false);
  const json body = json::parse(a.body, nullptr, false);
  store::LedgerEntry e;
  e.uscc = a.uscc;
  e.policy = decision.value("policy", service.bundle().policy ? service.bundle().policy->id : "");
  e.measure = a.measure;
  e.subject = a.subject;
  e.amount_fen = a.allocated_fen.value_or(0);
  e.granted_on = Today(service);
  e.scope = "city";
  e.application_id = a.id;
  e.round = round.id;
  auto rules = service.Rules(RoundGuide(service, round.guide), service.Today());
  if (const policy::Measure* m = rules->rules().FindMeasure(a.measure); m && !m->level_fact.empty()) {
    const json level =
        body.contains("facts") && body["facts"].is_object() ? body["facts"].value(m->level_fact, json()) : json();
    if (level.is_string()) e.level = level.get<std::string>();
  }
  const auto items = PaidItems(decision);
  if (items.empty()) return {e};
  std::vector<int64_t> caps, ties(items.size(), 0), parts(items.size(), 0);
  int64_t demand = 0;
  for (const auto& [number, fen] : items) {
    caps.push_back(fen);
    demand += fen;  // each at most the measure's ceiling: far below the bound
  }
  if (e.amount_fen >= demand)
    parts = caps;
  else
    alloc::ApportionLargestRemainder(caps, ties, demand, e.amount_fen, parts);
  std::vector<store::LedgerEntry> out;
  for (size_t i = 0; i < items.size(); ++i) {
    store::LedgerEntry item = e;
    item.subject = items[i].first;
    item.amount_fen = parts[i];
    out.push_back(std::move(item));
  }
  return out;
}

json PaymentJson(const store::Payment& p) {
  return {{"id", std::to_string(p.id)},
          {"round", p.round},
          {"application_id", p.application_id},
          {"payee", p.payee},
          {"uscc", p.uscc},
          {"amount_fen", p.amount_fen},
          {"status", p.status},
          {"reference", p.reference ? json(*p.reference) : json()},
          {"attempts", p.attempts},
          {"updated_at", p.updated_at}};
}

// Approves one noticed application: its state, its ledger entries and its pending payment.
Result<int64_t> ApproveOne(const Service& service, store::WriteTx& tx, const Call& call, const store::Round& round,
                           store::Application* a) {
  const json before = {{"state", a->state}, {"allocated_fen", *a->allocated_fen}};
  a->state = "approved";
  if (Status st = tx.UpdateApplication(a); !st.ok()) return st;
  json subjects = json::array();
  for (store::LedgerEntry& e : LedgerEntries(service, round, *a)) {
    if (Status st = tx.InsertLedgerEntry(&e); !st.ok()) return st;
    subjects.push_back({{"subject", e.subject}, {"amount_fen", e.amount_fen}});
  }
  store::Payment p;
  p.round = round.id;
  p.application_id = a->id;
  p.payee = ApplicantName(*a);
  p.uscc = a->uscc;
  p.amount_fen = *a->allocated_fen;
  if (Status st = tx.InsertPayment(&p); !st.ok()) return st;
  const json after = {
      {"state", "approved"}, {"allocated_fen", *a->allocated_fen}, {"ledger", subjects}, {"payment", p.id}};
  if (Status st = RecordChange(tx, call, *a, "approve", "in_notice", std::nullopt, std::nullopt, before, after);
      !st.ok())
    return st;
  return *a->allocated_fen;
}

// Why the round cannot be approved today, or nullopt.
std::optional<Response> NotApprovable(const Service& service, store::Reader& reader, const store::Round& round,
                                      const std::string& state) {
  if (state != "in_notice" || !round.notice) {
    return RoundConflict(state, false,
                         state == "approved" ? "本批次已批准 / the round is already approved"
                                             : "申报批次当前为“" + state + "”，须公示期满后批准 / the round is " +
                                                   state + ": approval follows the public notice");
  }
  auto reallocate = MayReallocate(service, reader, round);
  const bool may = reallocate.ok() && *reallocate;
  if (Today(service) <= round.notice->ends_on) {
    return RoundConflict(state, may,
                         "公示期至" + IsoDateZh(round.notice->ends_on) +
                             "结束，期满后方可批准 / the notice runs until " + round.notice->ends_on +
                             ": approval from the day after");
  }
  auto objections = reader.Objections(round.id);
  if (!objections.ok()) return StoreFailure(objections.status());
  json open = json::array();
  for (const auto& o : *objections) {
    if (o.state == "open") open.push_back(std::to_string(o.id));  // ids are strings in answers
  }
  if (!open.empty()) {
    Response r = RoundConflict(
        state, may, "尚有未处理的异议，须全部处理后方可批准 / every objection must be resolved before approval");
    json body = json::parse(r.body);
    body["open_objections"] = open;
    r.body = body.dump();
    return r;
  }
  return std::nullopt;
}

Response ApproveIn(const Service& service, const Call& call, store::WriteTx& tx) {
  Response problem;
  auto round = FindRound(tx, call.Param("id"), &problem);
  if (!round) return problem;
  const std::string state = RoundState(service, *round);
  if (auto refused = NotApprovable(service, tx, *round, state)) return *refused;
  auto apps = tx.ApplicationsBySubmission(round->id, {"in_notice"});
  if (!apps.ok()) return StoreFailure(apps.status());
  json approved = json::array();
  money::Total total;
  for (store::Application& a : *apps) {
    auto fen = ApproveOne(service, tx, call, *round, &a);
    if (!fen.ok()) return StoreFailure(fen.status());
    total.Add(*fen);
    approved.push_back(a.id);
  }
  if (!total.ok()) return StoreFailure(total.status());
  round->state = "approved";
  if (Status st = tx.UpdateRound(&*round); !st.ok()) return StoreFailure(st);
  const json after = {{"state", "approved"}, {"approved", approved.size()}, {"approved_total_fen", total.fen()}};
  if (auto a = tx.Audit({Actor(call), "round.approve", "round:" + round->id, {{"state", state}}, after}); !a.ok()) {
    return StoreFailure(a.status());
  }
  json answer = {
      {"round", round->id}, {"approved", approved}, {"approved_total_fen", total.fen()}, {"payments", approved.size()}};
  return Response::Json(200, answer.dump());
}

ExportTable PaymentTable(const std::vector<store::Payment>& payments) {
  ExportTable t;
  t.sheet = "拨付清单";
  t.headers = {"收款单位", "统一社会信用代码", "金额（元）", "付款参考号", "付款编号", "申请编号", "状态"};
  t.units = {ColumnUnit::kText, ColumnUnit::kText, ColumnUnit::kYuan, ColumnUnit::kText,
             ColumnUnit::kText, ColumnUnit::kText, ColumnUnit::kText};
  t.total_label = "合计";
  static const std::map<std::string, std::string> kStatus = {
      {"pending", "待拨付"}, {"paid", "已拨付"}, {"failed", "拨付失败"}};
  for (const auto& p : payments) {
    t.rows.push_back({p.payee, p.uscc, p.amount_fen, p.reference.value_or(""), std::to_string(p.id), p.application_id,
                      kStatus.at(p.status)});
  }
  return t;
}

Result<json> Totals(const std::vector<store::Payment>& payments) {
  std::map<std::string, std::pair<int64_t, money::Total>> by;
  for (const char* s : {"pending", "paid", "failed"}) by[s];
  for (const auto& p : payments) {
    auto& [count, total] = by[p.status];
    ++count;
    total.Add(p.amount_fen);
  }
  json out = json::object();
  for (const auto& [status, t] : by) {
    if (!t.second.ok()) return t.second.status();
    out[status] = {{"count", t.first}, {"amount_fen", t.second.fen()}};
  }
  return out;
}

std::optional<int64_t> PaymentId(const std::string& id) {
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(id);
}

}  // namespace

Response ApproveRound(const Service& service, const Call& call) {
  Response problem;
  auto body = ReadObjectBody(call, {}, &problem);
  if (!body) return problem;
  return Write(service, call, [&](store::WriteTx& tx) { return ApproveIn(service, call, tx); });
}

Response ListPayments(const Service& service, const Call& call) {
  Response problem;
  auto format = ReadFormat(call, &problem, {"limit", "cursor"});
  if (!format) return problem;
  std::vector<FieldError> errors;
  ListPage page;
  ReadListPage(call, &page, &errors);
  if (!errors.empty()) return Problem(400, "查询参数有误 / bad query parameter", std::move(errors));
  auto payments = service.store()->Read([&](store::Reader& r) -> Result<std::optional<std::vector<store::Payment>>> {
    auto round = r.GetRound(call.Param("id"));
    if (!round.ok()) return round.status();
    if (!*round) return std::optional<std::vector<store::Payment>>();
    auto list = r.Payments(call.Param("id"));
    if (!list.ok()) return list.status();
    return std::optional<std::vector<store::Payment>>(std::move(*list));
  });
  if (!payments.ok()) return StoreFailure(payments.status());
  if (!*payments) return Problem(404, "没有申报批次 " + call.Param("id") + " / no round " + call.Param("id"));
  if (*format != "json") return FileAnswer(*format, PaymentTable(**payments), "payments-" + call.Param("id"));
  auto totals = Totals(**payments);
  if (!totals.ok()) return StoreFailure(totals.status());
  json items = json::array();
  for (const auto& p : **payments) items.push_back(PaymentJson(p));
  // A page of the payments; the totals are the round's, over every page (the file is whole).
  json answer = {{"round", call.Param("id")}};
  if (!PageOf(items, page, &answer)) {
    return Problem(400, "查询参数有误 / bad query parameter",
                   {{"cursor", "不是本列表给出的游标 / not a cursor this list gave"}});
  }
  answer["totals"] = *totals;
  return Response::Json(200, answer.dump());
}

bool PaymentVisible(const Service& service, const Call& call) {
  auto id = PaymentId(call.Param("id"));
  if (!id) return false;
  auto found = service.store()->Read([&](store::Reader& r) { return r.GetPayment(*id); });
  return found.ok() && *found;
}

namespace {

// The application follows its payment: paid when the payment is.
Status MarkPaid(store::WriteTx& tx, const Call& call, const store::Payment& p) {
  auto found = tx.GetApplication(p.application_id);
  if (!found.ok()) return found.status();
  if (!*found || (*found)->state != "approved") return Status::Ok();
  store::Application a = **found;
  a.state = "paid";
  if (Status st = tx.UpdateApplication(&a); !st.ok()) return st;
  const json before = {{"state", "approved"}};
  const json after = {{"state", "paid"}, {"amount_fen", p.amount_fen}, {"reference", *p.reference}};
  return RecordChange(tx, call, a, "pay", "approved", std::nullopt, std::nullopt, before, after);
}

}  // namespace

Response RecordPayment(const Service& service, const Call& call) {
  Response problem;
  static const std::vector<MemberSpec> spec = {{"status", JsonType::kString, true},
                                               {"reference", JsonType::kString, false}};
  auto body = ReadObjectBody(call, spec, &problem);
  if (!body) return problem;
  const std::string status = (*body)["status"];
  const std::string reference = body->value("reference", std::string());
  std::vector<FieldError> errors;
  if (status != "paid" && status != "failed")
    errors.push_back({"status", "应为 paid 或 failed / must be paid or failed"});
  if (status == "paid" && IsBlankText(reference)) {
    errors.push_back({"reference", "已拨付须填写银行付款参考号 / a paid payment needs the bank's reference"});
  }
  if (!errors.empty()) return InvalidBody(std::move(errors));
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto found = tx.GetPayment(*PaymentId(call.Param("id")));
    if (!found.ok()) return StoreFailure(found.status());
    if (!*found) return Problem(404, "没有付款 " + call.Param("id") + " / no payment " + call.Param("id"));
    store::Payment p = **found;
    if (p.status == "paid") {
      return Problem(409, "该笔款项已拨付，不能再更改 / the payment is paid: that is final", {},
                     {{"state", "paid"}, {"allowed_actions", json::array()}});
    }
    const json before = {{"status", p.status}, {"attempts", p.attempts}};
    p.status = status;
    if (!reference.empty()) p.reference = reference;
    ++p.attempts;
    if (Status st = tx.UpdatePayment(&p); !st.ok()) return StoreFailure(st);
    const json after = {{"status", p.status},
                        {"attempts", p.attempts},
                        {"reference", p.reference ? json(*p.reference) : json()},
                        {"amount_fen", p.amount_fen}};
    if (auto a = tx.Audit({Actor(call), "payment." + status, "payment:" + std::to_string(p.id), before, after});
        !a.ok()) {
      return StoreFailure(a.status());
    }
    if (status == "paid") {
      if (Status st = MarkPaid(tx, call, p); !st.ok()) return StoreFailure(st);
    }
    return Response::Json(200, PaymentJson(p).dump());
  });
}

}  // namespace qgrant::server
