-- wrk: durable writes. Each request creates a new draft application (one SQLite or PostgreSQL
-- transaction with its history and audit entry) with a subject of its own.
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local counter = 0
function request()
  counter = counter + 1
  local body = string.format('{"applicant":{"uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司","kind":"enterprise",' ..
    '"registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"metrology","subject":"LOAD-%d-%d",' ..
    '"obtained_on":"2025-09-12","facts":{"activity":"demonstration"}}', id or 0, counter)
  return wrk.format("POST", "/api/v1/rounds/2026-demo/applications",
    {["Authorization"] = "Bearer " .. os.getenv("QGRANT_TOKEN"), ["Content-Type"] = "application/json"}, body)
end
