// Instants as the contract writes them: RFC 3339 in Shanghai time, "2026-12-04T07:50:16.123+08:00".
// China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace qgrant::store {

std::string FormatInstant(std::chrono::system_clock::time_point t);

// Where the store reads the time of an audit entry or a record; tests substitute their own.
using Clock = std::function<std::string()>;
Clock RealClock();

}  // namespace qgrant::store
