#!/usr/bin/python3
"""Every answer of a round taken to the end is described by the served OpenAPI document.

Starts `qgrant serve` on a throwaway SQLite database, drives a round through every route of
CONTRACT §7 (apply, review, allocate, notice, object, approve, pay, letters, invitations, audit),
moving the service date with --today, and checks each answer against the operation in
GET /openapi.json: the status is documented, the content type is one the operation declares, and
a JSON body validates against its schema (JSON Schema 2020-12, Debian's python3-jsonschema).

    openapi_answers.py QGRANT_BINARY POLICY_DIR
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema

QGRANT, POLICY = sys.argv[1], sys.argv[2]
WORK = tempfile.mkdtemp(prefix="qgrant-openapi-")
DB = os.path.join(WORK, "t.db")
failures = []
checked = 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
server = None


def serve(today):
    global server
    if server:
        server.terminate()
        server.wait()
    server = subprocess.Popen([QGRANT, "serve", "--db", DB, "--listen", f"127.0.0.1:{PORT}", "--policy", POLICY,
                               "--today", today], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("qgrant serve did not start")


def user(login, role, uscc=None):
    args = [QGRANT, "user", "add", "--db", DB, "--login", login, "--role", role, "--name", login]
    if uscc:
        args += ["--uscc", uscc]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


serve("2026-06-01")
DOC = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{PORT}/openapi.json").read())
ROUTES = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path) for path in DOC["paths"]]


def deref(ref):
    node = DOC
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def check(method, path, status, content_type, body):
    """Checks one answer against the document; records what does not hold."""
    global checked
    template = next((p for rx, p in ROUTES if rx.match(path)), None)
    where = f"{method} {path} -> {status}"
    if template is None or method.lower() not in DOC["paths"][template]:
        failures.append(f"{where}: no such operation in the document")
        return
    responses = DOC["paths"][template][method.lower()]["responses"]
    answer = responses.get(str(status)) or responses.get("default")
    if answer is None:
        failures.append(f"{where}: status not documented ({', '.join(responses)})")
        return
    if "$ref" in answer:
        answer = deref(answer["$ref"])
    media = (content_type or "").split(";")[0].strip()
    content = answer.get("content", {})
    if content and media not in content:
        failures.append(f"{where}: content type {media} not declared ({', '.join(content)})")
        return
    schema = content.get(media, {}).get("schema")
    if schema is None or not media.endswith("json"):
        checked += 1
        return
    document_schema = dict(schema)
    document_schema["components"] = DOC["components"]
    try:
        jsonschema.Draft202012Validator(document_schema).validate(json.loads(body))
        checked += 1
    except jsonschema.ValidationError as e:
        failures.append(f"{where}: {e.message} at {'/'.join(map(str, e.absolute_path))}")


def call(token, method, path, body=None, status=None):
    data = None if body is None else (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/api/v1{path}", data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request) as r:
            code, ctype, raw = r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        code, ctype, raw = e.code, e.headers.get("Content-Type"), e.read()
    check(method, "/api/v1" + path.split("?")[0], code, ctype, raw)
    if status is not None and code != status:
        failures.append(f"{method} {path}: expected {status}, got {code}: {raw[:300]!r}")
    return json.loads(raw) if ctype and "json" in ctype else raw


def application(uscc, name, measure, subject, facts):
    return {"applicant": {"uscc": uscc, "name": name, "kind": "enterprise", "registered_in_shenzhen": True,
                          "serious_dishonesty": False},
            "measure": measure, "subject": subject, "obtained_on": "2025-09-12", "facts": facts}


A, B = "91440300MA5XXXXXXR", "914403001922038216"
officer, reviewer, expert = user("officer", "officer"), user("reviewer", "reviewer"), user("expert", "expert")
finance, auditor = user("finance", "finance"), user("auditor", "auditor")
a, b = user("unit-a", "applicant", A), user("unit-b", "applicant", B)

call(None, "GET", "/measures", status=200)
call(None, "POST", "/evaluate", application(A, "甲", "china_quality_award", "Q", {"level": "winner"}), status=200)
call(officer, "POST", "/rounds", {"id": "r", "title": "t", "guide": "2026", "budget_fen": 100000000,
                                  "opens_on": "2026-05-01", "closes_on": "2026-12-31"}, status=201)
call(officer, "POST", "/rounds", {"id": "r"}, status=400)
call(a, "POST", "/rounds", {}, status=403)
call(None, "GET", "/rounds", status=401)
ids = []
for token, uscc, measure in ((a, A, "china_quality_award"), (b, B, "guangdong_quality_award")):
    app = call(token, "POST", "/rounds/r/applications", application(uscc, "单位", measure, "S-" + uscc, {"level": "winner"}), status=201)
    ids.append(app["id"])
    call(token, "PUT", "/applications/" + app["id"], application(uscc, "单位", measure, "S-" + uscc, {"level": "winner"}), status=200)
    call(token, "POST", f"/applications/{app['id']}/actions/submit", {}, status=200)
    call(expert, "POST", f"/applications/{app['id']}/reviews", {"passed": True, "score": 90}, status=201)
    call(reviewer, "POST", f"/applications/{app['id']}/actions/accept", {}, status=200)
call(a, "POST", f"/applications/{ids[0]}/actions/submit", {}, status=409)
call(a, "GET", f"/applications/{ids[1]}", status=404)
call(reviewer, "GET", "/applications?round=r", status=200)
call(officer, "GET", "/rounds/r", status=200)
call(officer, "POST", "/rounds/r/close", {}, status=200)
call(officer, "POST", "/rounds/r/allocate", {}, status=200)
call(officer, "POST", "/rounds/r/notice", {"starts_on": "2027-02-01", "working_days": 5}, status=400)
call(officer, "POST", "/rounds/r/notice", {"starts_on": "2026-06-02", "working_days": 3}, status=200)
call(None, "GET", "/rounds/r/notice", status=404)
serve("2026-06-02")
call(None, "GET", "/rounds/r/notice", status=200)
call(None, "GET", "/rounds/r/notice?format=csv", status=200)
call(None, "GET", "/rounds/r/notice?format=xlsx", status=200)
objection = call(b, "POST", "/rounds/r/objections", {"application_id": ids[0], "text": "异议"}, status=201)
call(officer, "GET", "/rounds/r/objections", status=200)
call(officer, "POST", f"/objections/{objection['id']}/resolve", {"upheld": False, "note": "不成立"}, status=200)
call(officer, "POST", f"/objections/{objection['id']}/resolve", {"upheld": False}, status=409)
call(officer, "POST", "/rounds/r/approve", {}, status=409)
serve("2026-06-08")
call(officer, "POST", "/rounds/r/approve", {}, status=200)
payments = call(finance, "GET", "/rounds/r/payments", status=200)
call(finance, "GET", "/rounds/r/payments?format=csv", status=200)
call(finance, "GET", "/rounds/r/payments?format=xlsx", status=200)
call(finance, "POST", f"/payments/{payments['items'][0]['id']}", {"status": "failed"}, status=200)
call(finance, "POST", f"/payments/{payments['items'][0]['id']}", {"status": "paid", "reference": "B-1"}, status=200)
call(a, "GET", f"/applications/{ids[0]}/letter", status=200)
call(a, "GET", f"/applications/{ids[0]}/letter?format=pdf", status=200)
call(a, "GET", "/ledger", status=200)
call(officer, "GET", f"/ledger?uscc={B}", status=200)
call(officer, "POST", "/rounds", {"id": "p", "title": "免申即享", "guide": "2026", "budget_fen": 1,
                                  "opens_on": "2026-05-01", "closes_on": "2026-12-31"}, status=201)
unit = {"uscc": A, "name": "甲", "kind": "enterprise", "registered_in_shenzhen": True, "serious_dishonesty": False,
        "achievements": [{"measure": "metrology", "subject": "ME-1", "obtained_on": "2025-09-12", "facts": {"activity": "demonstration"}},
                         {"measure": "china_quality_award", "subject": "Q-2", "obtained_on": "2025-09-12"}]}
call(officer, "POST", "/rounds/p/invitations", {"registry": [unit]}, status=200)
invitations = call(a, "GET", "/invitations", status=200)
call(a, "POST", f"/invitations/{invitations['items'][0]['id']}/confirm", {}, status=201)
call(auditor, "GET", "/audit?limit=500", status=200)
server.terminate()
server.wait()

print(f"openapi_answers: {checked} answers checked against the document, {len(failures)} not described")
for f in failures:
    print("  " + f)
sys.exit(1 if failures else 0)
