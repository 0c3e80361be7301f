// What the round's operations share (CONTRACT §7 after close: allocation, the public notice,
// objections, approval, payments, invitations): finding the round, the 409 that names its state
// and what may be done from it, a request body that is an object or nothing, and the record of a
// change to an application (its history and the audit chain, in the same transaction).
// Internal to src/server.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/exports.h"
#include "server/json_body.h"
#include "server/router.h"
#include "server/service.h"
#include "store/store.h"

namespace qgrant::server {

// The round `id`, or nullopt with its 404 (or the store's failure) in `*problem`.
std::optional<store::Round> FindRound(store::Reader& reader, const std::string& id, Response* problem);

// What an officer may do to a round in `state` ("allocate", "notice", "approve", ...), for 409s.
std::vector<std::string> RoundActions(const std::string& state, bool may_reallocate);

// The 409 of an operation the round's state does not allow: `state`, `round_state` and
// `allowed_actions`; `why` says in words what is missing (zh / en).
Response RoundConflict(const std::string& state, bool may_reallocate, const std::string& why);

// Whether a round in notice may be allocated again: before its notice starts (allocation is
// repeatable until then), or after an objection was upheld since the notice was posted; the
// notice must then be posted anew (§7 "Notice and objections").
Result<bool> MayReallocate(const Service& service, store::Reader& reader, const store::Round& round);

// The body of a request that takes an object with `spec`'s members; an empty body reads as {}.
std::optional<nlohmann::json> ReadObjectBody(const Call& call, const std::vector<MemberSpec>& spec, Response* problem);

// Records a change of an application made by `call`'s user: a history entry (action, from ->
// a.state, note, deadline) and an audit entry "application.ACTION" with `before` and `after`.
Status RecordChange(store::WriteTx& tx, const Call& call, const store::Application& a, const std::string& action,
                    const std::optional<std::string>& from, const std::optional<std::string>& note,
                    const std::optional<std::string>& deadline, const nlohmann::json& before,
                    const nlohmann::json& after);

// "2026-06-23" (or a timestamp starting so) as 2026年6月23日; anything else as it is.
std::string IsoDateZh(const std::string& iso);

// The applicant's name as the application gives it (applicant.name), or "".
std::string ApplicantName(const store::Application& a);

// Whether the round's public notice has started: until then an applicant sees proposed and
// not_funded applications as accepted and no allocated amount (§7 "Applications").
bool NoticeStarted(const Service& service, const store::Round& round);

// Whether `call`'s user sees the round's applications as an applicant before its notice starts:
// each in its public state, with `allocated_fen` null and no budget step in its decision, and the
// round's totals as before allocation.
bool AllocationHidden(const Service& service, const Call& call, const store::Round& round);

// The notice as the round stores it is public from its first day until the round is approved
// and after: whether the list may be shown today.
bool NoticeOpenToPublic(const Service& service, const store::Round& round);

// The `format` query parameter of a list that is also a file: json (default), csv or xlsx; any
// other parameter (but those in `also`) or value is a 400 naming it.
std::optional<std::string> ReadFormat(const Call& call, Response* problem, const std::vector<std::string>& also = {});

// One page of a list read whole (CONTRACT §7 "Lists"): `limit` 1–500 (default 50, larger
// clamped), `cursor` opaque (where the page before ended). ReadListPage takes the two from the
// query and reports a bad one in `errors`; other parameters are the caller's.
struct ListPage {
  size_t from = 0;
  size_t limit = 50;
};
void ReadListPage(const Call& call, ListPage* page, std::vector<FieldError>* errors);
// The page's items of `all` (an array) as {"items", "next_cursor"} in `*out`; false when the
// cursor is beyond the list (one this list never gave).
bool PageOf(const nlohmann::json& all, const ListPage& page, nlohmann::json* out);

// A table as the file `format` names (csv or xlsx), to be saved as NAME.csv / NAME.xlsx.
Response FileAnswer(const std::string& format, const ExportTable& table, const std::string& name);

}  // namespace qgrant::server
