#!/usr/bin/env python3
"""Crash test of `qgrant serve` (issue #12): a burst of concurrent submissions, kill -9 in the
middle, restart on the same database, then prove that every acknowledged submission (a 201) is
stored exactly once and that the audit chain verifies.

Usage: bench/crash_serve.py QGRANT DB [SUBMISSIONS]    (DB: a file path or a postgresql:// URL)
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

QGRANT, DB = sys.argv[1], sys.argv[2]
TOTAL = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
WORKERS = 64


def start(log):
    p = subprocess.Popen([QGRANT, "serve", "--db", DB, "--listen", "127.0.0.1:0", "--today", "2026-06-01", "--demo"],
                         stdout=subprocess.PIPE, stderr=open(log, "w"), text=True)
    for _ in range(200):
        text = open(log).read()
        m = re.search(r"listening on http://[^ ]*:(\d+) ", text)
        if m:
            return p, int(m.group(1))
        time.sleep(0.05)
    sys.exit("the server did not start:\n" + open(log).read())


def application(n):
    return json.dumps({"applicant": {"uscc": "91440300MA5XXXXXXR", "name": "深圳市示例科技有限公司", "kind": "enterprise",
                                     "registered_in_shenzhen": True, "serious_dishonesty": False},
                       "measure": "metrology", "subject": "CRASH-%05d" % n, "obtained_on": "2025-09-12",
                       "facts": {"activity": "demonstration"}})


def main():
    log = tempfile.mktemp()
    server, port = start(log)
    tokens = {}
    for line in server.stdout:
        parts = line.split()
        if len(parts) >= 3 and parts[0] in ("officer", "auditor"):
            tokens[parts[0]] = parts[2]
        if len(parts) >= 4 and parts[2] == "unit-a":
            tokens["unit-a"] = parts[3]
        if "round 2026-demo" in line:
            break
    acknowledged, lock, next_n = {}, threading.Lock(), [0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                n = next_n[0]
                next_n[0] += 1
            if n >= TOTAL:
                return
            try:
                conn.request("POST", "/api/v1/rounds/2026-demo/applications", application(n),
                             {"Authorization": "Bearer " + tokens["unit-a"], "Idempotency-Key": "crash-%d" % n})
                r = conn.getresponse()
                body = r.read()
                if r.status == 201:
                    with lock:
                        acknowledged["CRASH-%05d" % n] = json.loads(body)["id"]
            except (OSError, http.client.HTTPException):
                return  # the server is gone

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    while len(acknowledged) < TOTAL // 3 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    for t in threads:
        t.join()
    sent = min(next_n[0], TOTAL)
    server, port = start(log)  # the same database: nothing is seeded again
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    stored, cursor = {}, None
    while True:
        target = "/api/v1/applications?round=2026-demo&limit=500" + ("&cursor=" + cursor if cursor else "")
        conn.request("GET", target, headers={"Authorization": "Bearer " + tokens["officer"]})
        page = json.loads(conn.getresponse().read())
        for item in page["items"]:
            stored.setdefault(item["subject"], []).append(item["id"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    server.send_signal(signal.SIGTERM)
    server.wait()
    missing = [s for s in acknowledged if s not in stored]
    wrong = [s for s, i in acknowledged.items() if s in stored and stored[s] != [i]]
    duplicated = [s for s, ids in stored.items() if len(ids) > 1]
    verify = subprocess.run([QGRANT, "audit", "verify", "--db", DB], capture_output=True, text=True)
    print("sent %d, acknowledged %d, stored %d, missing %d, not exactly once %d, duplicated %d; audit: %s"
          % (sent, len(acknowledged), len(stored), len(missing), len(wrong), len(duplicated), verify.stdout.strip()))
    ok = not missing and not wrong and not duplicated and verify.returncode == 0
    sys.exit(0 if ok else 1)


main()
