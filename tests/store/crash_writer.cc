// The store's durability check, driven by crash_test.sh:
//
//   store_crash_writer write URL THREADS   writes applications from THREADS threads until killed,
//                                          printing "ack SUBJECT" once each write is acknowledged
//   store_crash_writer check URL ACKS      after a kill -9: every acknowledged subject is stored
//                                          exactly once, nothing is stored twice, every stored
//                                          write has its audit entry and the chain verifies
//
// A write is acknowledged only after Store::Write returned OK, as the server answers 2xx only then.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace qgrant::store {
namespace {

constexpr const char* kRound = "CRASH";

Status EnsureRound(Store& store) {
  return store.Write([](WriteTx& tx) -> Status {
    auto existing = tx.GetRound(kRound);
    if (!existing.ok()) return existing.status();
    if (*existing) return Status::Ok();
    Round r{kRound, 0, "crash test", "2026", 0, "2026-01-01", "2026-12-31", "open", std::nullopt, "", ""};
    QGRANT_RETURN_IF_ERROR(tx.InsertRound(&r));
    return tx.Audit({"crash", "round.create", std::string("round:") + kRound, nullptr, {{"id", kRound}}}).status();
  });
}

void WriteForever(Store& store, int thread, std::mutex& out_mu) {
  for (int n = 0;; ++n) {
    // The process id keeps subjects of a second run on the same database apart from the first's.
    const std::string subject =
        "P" + std::to_string(::getpid()) + "-T" + std::to_string(thread) + "-" + std::to_string(n);
    Status st = store.Write([&](WriteTx& tx) -> Status {
      Application a;
      a.round = kRound;
      a.uscc = "91350100M000100Y43";
      a.measure = "metrology";
      a.subject = a.subject_key = subject;
      a.state = "submitted";
      a.body = "{}";
      QGRANT_RETURN_IF_ERROR(tx.InsertApplication(&a));
      return tx.Audit({"crash", "application.submit", "application:" + a.id, nullptr, {{"subject", subject}}}).status();
    });
    if (!st.ok()) {
      std::cerr << "write failed: " << st.message() << "\n";
      continue;
    }
    const std::string line = "ack " + subject + "\n";
    std::lock_guard lock(out_mu);
    if (::write(1, line.data(), line.size()) != ssize_t(line.size())) return;
  }
}

int Write(const std::string& url, int threads) {
  auto store = OpenStore(url);
  if (!store.ok() || !EnsureRound(**store).ok()) {
    std::cerr << "cannot prepare the store\n";
    return 2;
  }
  std::mutex out_mu;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back([&, t] { WriteForever(**store, t, out_mu); });
  for (auto& w : workers) w.join();
  return 0;
}

int Check(const std::string& url, const std::string& acks_file) {
  std::ifstream in(acks_file, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> acked;
  for (size_t pos = 0, nl; (nl = all.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    acked.push_back(all.substr(pos + 4, nl - pos - 4));  // a cut-off last line was never acknowledged
  }
  auto store = OpenStore(url);
  if (!store.ok()) return 2;
  auto apps = (*store)->Read([](Reader& r) {
    ApplicationFilter f;
    f.round = kRound;
    f.limit = int64_t{1} << 40;
    return r.Applications(f);
  });
  auto verdict = (*store)->Read([](Reader& r) { return r.VerifyAudit(); });
  if (!apps.ok() || !verdict.ok()) return 2;
  std::map<std::string, int> stored;
  for (const Application& a : *apps) ++stored[a.subject];
  int missing = 0, duplicated = 0;
  for (const std::string& s : acked) missing += stored.count(s) ? 0 : 1;
  for (const auto& [s, n] : stored) duplicated += n > 1 ? 1 : 0;
  // One audit entry per stored application, plus the round's.
  const bool audit_matches = verdict->entries == int64_t(apps->size()) + 1;
  std::cout << "acknowledged " << acked.size() << ", stored " << apps->size() << ", missing " << missing
            << ", duplicated " << duplicated << ", audit "
            << (verdict->ok ? "ok: " + std::to_string(verdict->entries) + " entries"
                            : "entry " + std::to_string(verdict->bad_seq) + ": " + verdict->reason)
            << (audit_matches ? "" : " (not one entry per stored write)") << "\n";
  return missing == 0 && duplicated == 0 && verdict->ok && audit_matches && !acked.empty() ? 0 : 1;
}

}  // namespace
}  // namespace qgrant::store

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc == 4 && mode == "write") return qgrant::store::Write(argv[2], std::atoi(argv[3]));
  if (argc == 4 && mode == "check") return qgrant::store::Check(argv[2], argv[3]);
  std::cerr << "usage: store_crash_writer write URL THREADS | check URL ACKS\n";
  return 2;
}
