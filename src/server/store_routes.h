// The handlers of the routes that need the store (CONTRACT §7): rounds, applications, actions,
// reviews, the audit chain and the ledger. Each is a plain function of (Service, Call) to
// Response; BuildApiRouter wires them when the Service has a store. Internal to src/server.
#pragma once

#include <nlohmann/json.hpp>

#include "server/router.h"
#include "server/service.h"
#include "store/store.h"

namespace qgrant::server {

// Rounds (rounds.cc).
Response CreateRound(const Service& service, const Call& call);
Response ListRounds(const Service& service, const Call& call);
Response GetRound(const Service& service, const Call& call);
Response CloseRound(const Service& service, const Call& call);
// A round's state: the stored one once closed or past, else from the service date.
std::string RoundState(const Service& service, const store::Round& round);
// The round as the caller may read it (an applicant's totals before the notice: AllocationHidden).
Result<nlohmann::json> RoundJson(const Service& service, store::Reader& reader, const store::Round& round,
                                 const Call& call);

// Applications (applications.cc).
Response CreateApplication(const Service& service, const Call& call);
Response ReplaceApplication(const Service& service, const Call& call);
Response GetApplication(const Service& service, const Call& call);
Response ListApplications(const Service& service, const Call& call);
Response FireAction(const Service& service, const Call& call);
Response AddReview(const Service& service, const Call& call);
// Whether the caller may see the application the path names (404 otherwise, before the role
// is judged): an applicant its own unit's, an expert no draft, staff any.
bool ApplicationVisible(const Service& service, const Call& call);
// The application as the caller may read it (201 adds its Location).
Response ApplicationAnswer(int status, const Service& service, store::Reader& reader, const store::Application& a,
                           const Call& call);
// The decision letter (letter.cc).
Response GetLetter(const Service& service, const Call& call);

// Invitations of a no-application round (invitations.cc).
Response CreateInvitations(const Service& service, const Call& call);
Response ListInvitations(const Service& service, const Call& call);
Response ConfirmInvitation(const Service& service, const Call& call);
Response DeclineInvitation(const Service& service, const Call& call);
bool InvitationVisible(const Service& service, const Call& call);

// Whether the round the path names exists (404 otherwise, before the role is judged).
bool RoundVisible(const Service& service, const Call& call);

// Allocation (allocation.cc).
Response AllocateRound(const Service& service, const Call& call);

// The public notice and objections (notice.cc).
Response PostNotice(const Service& service, const Call& call);
Response GetNotice(const Service& service, const Call& call);
Response CreateObjection(const Service& service, const Call& call);
Response ListObjections(const Service& service, const Call& call);
Response ResolveObjection(const Service& service, const Call& call);
bool ObjectionVisible(const Service& service, const Call& call);

// Approval and payments (approval.cc).
Response ApproveRound(const Service& service, const Call& call);
Response ListPayments(const Service& service, const Call& call);
Response RecordPayment(const Service& service, const Call& call);
bool PaymentVisible(const Service& service, const Call& call);

// The audit chain and the ledger (records.cc).
Response ListAudit(const Service& service, const Call& call);
Response ListLedger(const Service& service, const Call& call);

// Every route above with its method and pattern, for BuildApiRouter.
struct StoreRoute {
  const char* method;
  const char* pattern;
  Response (*handler)(const Service&, const Call&);
  bool (*visible)(const Service&, const Call&) = nullptr;
};
const std::vector<StoreRoute>& StoreRouteTable();

}  // namespace qgrant::server
