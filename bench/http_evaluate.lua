-- wrk script for bench/http_load.sh: POST one eligible application (CONTRACT.md §2) to
-- /api/v1/evaluate on every request.
wrk.method = "POST"
wrk.path = "/api/v1/evaluate?guide=2026"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"2026-CQA-0001","applicant":{"uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司",' ..
  '"kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award",' ..
  '"subject":"CQA-2025-winner","obtained_on":"2025-09-12","facts":{"level":"winner"},"requested_fen":300000000}'

