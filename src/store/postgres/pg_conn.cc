#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>

#include <memory>

#include "common/shared_library.h"

namespace qgrant::store {
namespace {

// libpq, loaded when the first connection is opened (common/shared_library.h): only `qgrant serve`
// with a PostgreSQL store needs it.
// clang-format off: one function a line
#define QGRANT_LIBPQ_FUNCTIONS(F) \
  F(PQclear)                      \
  F(PQconnectdb)                  \
  F(PQerrorMessage)               \
  F(PQexec)                       \
  F(PQexecPrepared)               \
  F(PQfinish)                     \
  F(PQgetisnull)                  \
  F(PQgetlength)                  \
  F(PQgetvalue)                   \
  F(PQnfields)                    \
  F(PQntuples)                    \
  F(PQprepare)                    \
  F(PQresultErrorField)           \
  F(PQresultErrorMessage)         \
  F(PQresultStatus)               \
  F(PQsetNoticeProcessor)         \
  F(PQstatus)
// clang-format on
QGRANT_LAZY_LIBRARY(Libpq, "libpq.so.5", QGRANT_LIBPQ_FUNCTIONS)

// The loaded library, once a connection has been opened (PgConn::Open loads it first).
const Libpq& Pq() { return *Libpq::Load(); }

struct ResultDeleter {
  void operator()(PGresult* r) const { Pq().PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

void IgnoreNotice(void*, const char*) {}  // "relation already exists, skipping" and the like

// Status for a failed result, classifying its SQLSTATE.
Status Failure(pg_conn* conn, const PGresult* res, SqlFailure* failure) {
  const char* state = res ? Pq().PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state ? state : "";
  if (code == "40001" || code == "40P01") {
    *failure = SqlFailure::kSerialization;
  } else if (code == "23505") {
    *failure = SqlFailure::kUniqueViolation;
  } else {
    *failure = SqlFailure::kOther;
  }
  std::string msg = res ? Pq().PQresultErrorMessage(res) : Pq().PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::string text = "PostgreSQL: " + msg;
  if (!code.empty()) text.append(" (SQLSTATE ").append(code).append(")");
  return Status::IoError(text);
}

bool Succeeded(const PGresult* res) {
  const auto s = res ? Pq().PQresultStatus(res) : PGRES_FATAL_ERROR;
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

}  // namespace

std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out.push_back('$');
      out += std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::unique_ptr<PgConn>> PgConn::Open(const std::string& url) {
  if (!Libpq::Load().ok()) return Libpq::Load().status();
  pg_conn* conn = Pq().PQconnectdb(url.c_str());
  if (conn == nullptr) return Status::IoError("PostgreSQL: out of memory opening a connection");
  if (Pq().PQstatus(conn) != CONNECTION_OK) {
    std::string msg = Pq().PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    Pq().PQfinish(conn);
    return Status::IoError("cannot connect to PostgreSQL: " + msg);
  }
  Pq().PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::unique_ptr<PgConn> out(new PgConn(conn));
  // Instants are text written by the store, so the session's time zone never shapes them; the
  // client encoding must be UTF-8 for the JSON and Chinese names we keep.
  QGRANT_RETURN_IF_ERROR(out->Exec("SET client_encoding = 'UTF8'"));
  return out;
}

PgConn::~PgConn() { Pq().PQfinish(conn_); }

bool PgConn::healthy() const { return Pq().PQstatus(conn_) == CONNECTION_OK; }

Status PgConn::Exec(std::string_view script) {
  last_failure_ = SqlFailure::kNone;
  PgResult res(Pq().PQexec(conn_, std::string(script).c_str()));
  if (!Succeeded(res.get())) return Failure(conn_, res.get(), &last_failure_);
  return Status::Ok();
}

Result<std::string> PgConn::Prepared(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  std::string name = std::to_string(statements_.size() + 1);
  name.insert(name.begin(), 'q');
  PgResult res(Pq().PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr));
  if (!Succeeded(res.get())) return Failure(conn_, res.get(), &last_failure_);
  statements_.emplace(sql, name);
  return name;
}

Result<std::vector<SqlRow>> PgConn::Query(const std::string& sql, const std::vector<SqlValue>& params) {
  last_failure_ = SqlFailure::kNone;
  auto name = Prepared(sql);
  if (!name.ok()) return name.status();
  std::vector<std::string> text(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      text[i] = std::to_string(*n);
      values[i] = text[i].c_str();
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      values[i] = s->c_str();
    }
  }
  PgResult res(Pq().PQexecPrepared(conn_, name->c_str(), int(params.size()), values.data(), nullptr, nullptr, 0));
  if (!Succeeded(res.get())) return Failure(conn_, res.get(), &last_failure_);
  std::vector<SqlRow> rows(Pq().PQntuples(res.get()));
  const int columns = Pq().PQnfields(res.get());
  for (int r = 0; r < int(rows.size()); ++r) {
    rows[r].cells.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      if (Pq().PQgetisnull(res.get(), r, c)) {
        rows[r].cells.emplace_back(std::nullopt);
      } else {
        rows[r].cells.emplace_back(std::string(Pq().PQgetvalue(res.get(), r, c), Pq().PQgetlength(res.get(), r, c)));
      }
    }
  }
  return rows;
}

}  // namespace qgrant::store
