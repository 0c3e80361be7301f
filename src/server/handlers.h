// The handlers of the routes that need no store (api_routes.cc wires them). Internal to
// src/server.
#pragma once

#include "server/router.h"
#include "server/service.h"

namespace qgrant::server {

Response MeasuresHandler(const Service& service, const Call& call);
Response EvaluateHandler(const Service& service, const Call& call);

}  // namespace qgrant::server
