// libFuzzer target for guides and amendments read against the shipped policy: arbitrary bytes as
// a file beside policies/sz-quality-brand/policy.yaml. Unlike policy_yaml_fuzz, whose lone file
// has no policy to refer to, this reaches what needs one: a guide's conditions type-checked
// against the measures as amended, measure names and levels looked up, an amendment's changes
// and cancellations applied. Loading must end with diagnostics or a bundle, never a crash or a
// hang; what loads must resolve into rules before and after any amendment's date, and the input
// loaded as the year's guide (LoadGuideFile, as eval --guide does) must resolve too.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "policy/loader.h"

namespace {

using qgrant::policy::PolicyBundle;

// The shipped policy, loaded once: the bundle every input is read against.
const PolicyBundle& Shipped() {
  static const PolicyBundle* bundle = [] {
    auto* b = new PolicyBundle;
    qgrant::policy::DiagnosticSink sink;
    if (!qgrant::policy::LoadBundle({QGRANT_POLICY_FILE}, b, &sink)) __builtin_trap();
    return b;
  }();
  return *bundle;
}

void Resolve(const PolicyBundle& bundle, std::shared_ptr<const qgrant::policy::Guide> guide) {
  for (const char* day : {"2026-06-01", "2027-06-01"}) {
    qgrant::policy::Date as_of;
    if (!qgrant::policy::ParseDate(day, &as_of)) __builtin_trap();
    (void)qgrant::policy::ResolveRules(bundle, guide, as_of);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const PolicyBundle& shipped = Shipped();
  static const std::string path = "/tmp/qgrant_guide_amendment_fuzz_" + std::to_string(getpid()) + ".yaml";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();  // the target cannot work without its scratch file
  std::fwrite(data, 1, size, f);
  std::fclose(f);

  // Beside the policy, classified by its kind: an amendment is applied, a guide checked.
  {
    PolicyBundle bundle;
    qgrant::policy::DiagnosticSink sink;
    const bool loaded = qgrant::policy::LoadBundle({QGRANT_POLICY_FILE, path}, &bundle, &sink);
    if (loaded == sink.has_errors()) __builtin_trap();            // success exactly when nothing is wrong
    if (!loaded && sink.diagnostics().empty()) __builtin_trap();  // a failure always says why
    (void)sink.Format();
    if (loaded) Resolve(bundle, bundle.guides.empty() ? nullptr : bundle.guides.front());
  }
  // As the year's guide of the shipped policy.
  {
    std::shared_ptr<const qgrant::policy::Guide> guide;
    qgrant::policy::DiagnosticSink sink;
    const bool loaded = qgrant::policy::LoadGuideFile(path, shipped, &guide, &sink);
    if (loaded == sink.has_errors()) __builtin_trap();
    if (!loaded && sink.diagnostics().empty()) __builtin_trap();
    (void)sink.Format();
    if (loaded) {
      if (guide == nullptr) __builtin_trap();
      Resolve(shipped, guide);
    }
  }
  return 0;
}
