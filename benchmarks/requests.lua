-- wrk script of bench_http: replays a file of pre-made requests, one line each: "METHOD PATH TOKEN".
-- usage: wrk -s requests.lua URL -- FILE BODY_FILE THREADS
-- Thread k sends lines k, k + THREADS, ... (wrapping round when its share runs out, which the
-- counts of other statuses then show), all with the same JSON body; at the end one line
-- "wrk-json {...}" gives the counts and the latency percentiles in microseconds.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local lines, body_file, step = args[1], args[2], tonumber(args[3])
  local handle = assert(io.open(body_file, "rb"))
  local body = handle:read("*a")
  handle:close()
  requests = {}
  local n = 0
  for line in io.lines(lines) do
    if n % step == id then
      local method, path, token = line:match("^(%S+) (%S+) (%S+)$")
      local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
      table.insert(requests, wrk.format(method, path, headers, method == "POST" and body or nil))
    end
    n = n + 1
  end
  index = 0
  wrapped = 0
  created = 0
  other = 0
end

function request()
  index = index + 1
  if index > #requests then
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    created = created + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local ok, failed, wraps = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("created")
    failed = failed + thread:get("other")
    wraps = wraps + thread:get("wrapped")
  end
  local errors = summary.errors
  io.write(string.format(
    'wrk-json {"requests": %d, "microseconds": %d, "ok": %d, "other": %d, "wrapped": %d, '
      .. '"socket_errors": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, ok, failed, wraps,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
