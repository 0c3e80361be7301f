// Hashing and secrets (OpenSSL): the audit chain's SHA-256, bearer tokens and their stored hashes.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace qgrant::store {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// A new bearer token: 256 bits from RAND_bytes, as 64 lower-case hex characters.
Result<std::string> NewToken();

// Compares two strings in time that depends only on their lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace qgrant::store
