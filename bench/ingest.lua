-- wrk script: replays recorded Sentry SDK envelopes (uncompressed fixtures with one event)
-- with a fresh event_id per request, counting 200 answers per thread.
local fixtures_dir = os.getenv("TELLTALE_FIXTURES")
local names = { "exception_chained", "rich_context.1", "message", "logging_message", "unhandled_crash.1", "exception_group", "message_stacktrace" }
if os.getenv("TELLTALE_FIXTURE_NAMES") then
  names = {}
  for name in string.gmatch(os.getenv("TELLTALE_FIXTURE_NAMES"), "[^,]+") do table.insert(names, name) end
end
local key = os.getenv("TELLTALE_KEY")
local project = os.getenv("TELLTALE_PROJECT")
local templates = {}
local threads = {}

local function read(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

for _, name in ipairs(names) do
  local body = read(fixtures_dir .. "/" .. name .. ".body")
  -- split at the event id once so each request is two concatenations, not a search
  -- (the id is in the envelope header and in the event)
  local a, b, c = body:match('^(.-"event_id":")%x+(".-"event_id":")%x+(".*)$')
  assert(a, name .. ": two event ids expected")
  table.insert(templates, { a = a, b = b, c = c })
end

function setup(thread)
  thread:set("ok", 0)
  thread:set("other", 0)
  table.insert(threads, thread)
end

local counter = 0
local path = "/api/" .. project .. "/envelope/"
local headers = {
  ["Content-Type"] = "application/x-sentry-envelope",
  ["X-Sentry-Auth"] = "Sentry sentry_key=" .. key .. ", sentry_version=7, sentry_client=sentry.python/2.75.0",
}

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  ok = 0
  other = 0
end

local function random_id()
  return string.format("%08x%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function request()
  counter = counter + 1
  local template = templates[(counter % #templates) + 1]
  local id = random_id()
  local body = template.a .. id .. template.b .. id .. template.c
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_other = total_other + thread:get("other")
  end
  io.write(string.format("accepted=%d refused=%d\n", total_ok, total_other))
  io.write(string.format("latency_p50_ms=%.2f latency_p90_ms=%.2f latency_p99_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
