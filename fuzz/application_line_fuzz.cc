// libFuzzer target for the application reader: arbitrary bytes as one JSON line of `qgrant
// eval`, read against the rules of the shipped policy (its 2026 guide in force). Every line,
// however malformed (truncated, wrong types, huge numbers, deep nesting, invalid UTF-8, BOM,
// repeated keys), must come out as an application or as field errors, never a crash; and
// reading in place (padded) must agree with reading a copy. Run from the repository root
// (scripts/fuzz.sh does), or set QGRANT_POLICY to the policy folder.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/application.h"
#include "policy/loader.h"

namespace {

struct Fixture {
  qgrant::policy::PolicyBundle bundle;
  qgrant::policy::RuleSet rules;

  Fixture() {
    const char* dir = std::getenv("QGRANT_POLICY");
    qgrant::policy::DiagnosticSink sink;
    if (!qgrant::policy::LoadBundle({dir ? dir : "policies/sz-quality-brand"}, &bundle, &sink)) __builtin_trap();
    qgrant::policy::Date as_of;
    qgrant::policy::ParseDate("2026-06-01", &as_of);
    rules = qgrant::policy::ResolveRules(bundle, bundle.guides.empty() ? nullptr : bundle.guides.front(), as_of);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  static qgrant::engine::ApplicationReader* reader = new qgrant::engine::ApplicationReader(fixture->rules);
  std::string line(reinterpret_cast<const char*>(data), size);
  qgrant::engine::Application copied, in_place;
  reader->Read(line, &copied);
  std::string padded = line + std::string(qgrant::engine::ApplicationReader::kPadding, ' ');
  reader->ReadPadded(std::string_view(padded.data(), line.size()), &in_place);
  if (copied.errors.size() != in_place.errors.size() || copied.id != in_place.id) __builtin_trap();
  for (const auto& e : copied.errors) {
    if (e.path.empty() && e.code.empty()) __builtin_trap();  // an error says where or what
  }
  return 0;
}
