// The values the store keeps, one struct per table (src/store/README.md describes the tables).
// Plain data: no behaviour, no validation (the service validates before it writes). Dates are
// "YYYY-MM-DD"; instants are RFC 3339 with "+08:00", set by the store; money is int64 fen.
// JSON documents (an application as last written, a decision, an idempotent answer) are kept as
// text exactly as the service wrote them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace qgrant::store {

// Roles of §7; the store checks a role name against this list when a user is added.
inline constexpr const char* kRoles[] = {"applicant", "reviewer", "expert", "officer", "finance", "auditor", "admin"};
bool IsKnownRole(std::string_view role);

struct User {
  int64_t id = 0;
  std::string login;
  std::string role;
  std::optional<std::string> uscc;  // the unit an applicant acts for
  std::string name;                 // display name
  bool active = true;
  std::string created_at;
};

struct Notice {
  std::string starts_on;
  std::string ends_on;
  int64_t working_days = 0;
};

struct Round {
  std::string id;
  int64_t seq = 0;  // creation order (list order)
  std::string title;
  std::string guide;  // the guide's year, "2026"
  int64_t budget_fen = 0;
  std::string opens_on;
  std::string closes_on;
  // The stored state: scheduled/open/closed are also a matter of the service date, which the
  // service works out; the store keeps what was last set (e.g. "closed" by the officer).
  std::string state;
  std::optional<Notice> notice;
  std::string created_at;
  std::string updated_at;
};

struct Application {
  std::string id;   // the service's id; empty on insert: the store assigns one
  int64_t seq = 0;  // creation order (cursor order), assigned on insert
  std::string round;
  std::string uscc;
  std::string measure;
  std::string subject;
  std::string subject_key;  // the subject as §6 compares it (NFKC, trimmed, upper case)
  std::string state;
  std::string body;                       // the §2 application JSON as last written
  std::optional<int64_t> submission_seq;  // order of the last submission within the store
  std::optional<std::string> submitted_on;
  std::optional<std::string> decision;  // the latest §4 decision JSON
  int64_t amount_fen = 0;               // the decision's amount_fen (totals by state, measure)
  std::optional<int64_t> allocated_fen;
  std::optional<std::string> deadline;   // when returned
  std::optional<std::string> reference;  // an id the applicant sent in the body
  std::optional<int64_t> created_by;     // user id
  std::string created_at;
  std::string updated_at;
};

struct HistoryEntry {
  int64_t id = 0;
  std::string application_id;
  std::string at;
  std::string action;
  std::optional<std::string> from_state;
  std::string to_state;
  std::string actor;  // login
  std::string actor_role;
  std::optional<std::string> note;
  std::optional<std::string> deadline;
};

struct Review {
  int64_t id = 0;
  std::string application_id;
  int64_t expert_id = 0;
  std::string expert;          // login, filled on reads
  std::optional<bool> passed;  // absent with a declared conflict
  std::optional<int64_t> score;
  std::string note;
  bool conflict_of_interest = false;
  std::string at;
};

struct Objection {
  int64_t id = 0;
  std::string round;
  std::string application_id;
  std::string text;
  std::string state = "open";  // open | upheld | dismissed
  std::optional<int64_t> filed_by;
  std::string at;
  std::optional<std::string> resolution_note;
  std::optional<int64_t> resolved_by;
  std::optional<std::string> resolved_at;
};

// A §3 ledger entry, plus where it came from when the service wrote it.
struct LedgerEntry {
  int64_t id = 0;
  std::string uscc;
  std::string policy;
  std::string measure;
  std::optional<std::string> level;
  std::string subject;
  int64_t amount_fen = 0;
  std::string granted_on;
  std::string scope = "city";
  std::optional<std::string> application_id;
  std::optional<std::string> round;
};

struct Payment {
  int64_t id = 0;
  std::string round;
  std::string application_id;
  std::string payee;
  std::string uscc;
  int64_t amount_fen = 0;
  std::string status = "pending";  // pending | paid | failed
  std::optional<std::string> reference;
  int64_t attempts = 0;
  std::string updated_at;
};

struct Invitation {
  int64_t id = 0;
  std::string round;
  std::string uscc;
  std::string measure;
  std::string subject;
  int64_t amount_fen = 0;
  std::string state = "open";  // open | confirmed | declined
  std::optional<std::string> application_id;
  std::string created_at;
  std::string application;  // the §2 application the unit's registry record makes (pre-fill)
  std::string name;         // the unit's name
};

// One link of the audit chain (CONTRACT §7 "Audit"). before/after are JSON objects or null.
struct AuditEntry {
  int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;
  std::string object;  // "TYPE:ID"
  nlohmann::json before;
  nlohmann::json after;
  std::string prev_hash;
  std::string hash;
};

// What the service asks to be audited; the store adds seq, at and the hashes.
struct AuditEvent {
  std::string actor;
  std::string action;
  std::string object;
  nlohmann::json before;  // null or an object
  nlohmann::json after;   // null or an object
};

// A sign-in session of the web pages: the SHA-256 of its random id, whose it is, until when.
struct WebSession {
  std::string id_hash;
  int64_t user_id = 0;
  std::string created_at;
  std::string expires_at;  // RFC 3339, +08:00
  int64_t expires_epoch = 0;
};

// The first answer to a write sent with an Idempotency-Key, kept per user and key.
struct IdempotencyRecord {
  int64_t user_id = 0;
  std::string key;
  std::string method;
  std::string path;
  std::string body_hash;  // hex SHA-256 of the request body
  int64_t status = 0;
  std::string response;  // the response body
  std::string created_at;
  int64_t created_epoch = 0;  // Unix time; 0 when remembered: now
  std::string location;       // the answer's Location header ("" when none)
};

// Whether a request repeats the one `first` answered: same method, path and body hash. A repeat
// gets the stored answer; the same key with another request is the server's 422 (CONTRACT §7).
inline bool SameRequest(const IdempotencyRecord& first, std::string_view method, std::string_view path,
                        std::string_view body_hash) {
  return first.method == method && first.path == path && first.body_hash == body_hash;
}

}  // namespace qgrant::store
