-- wrk: an applicant reading its own application (token check, ownership, history) again and again.
function request()
  return wrk.format("GET", "/api/v1/applications/" .. os.getenv("QGRANT_APP"),
    {["Authorization"] = "Bearer " .. os.getenv("QGRANT_TOKEN")})
end
