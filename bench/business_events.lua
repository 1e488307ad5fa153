-- wrk script: posts batches of business events (TELLTALE_BATCH per request, 20 names, 10,000
-- users, plan, source and device properties, a value on one event in five, a fresh id each) with the project's key, counting
-- 200 answers per thread.
local key = os.getenv("TELLTALE_KEY")
local batch = tonumber(os.getenv("TELLTALE_BATCH") or "100")
-- TELLTALE_SPREAD_DAYS=N dates events at random over the last N days (default: now).
local spread = tonumber(os.getenv("TELLTALE_SPREAD_DAYS") or "0")
local threads = {}
local names = {}
for i = 1, 20 do names[i] = "event_" .. i end
local plans = { "free", "pro" }
local sources = { "ads", "search", "partner", "mail", "direct" }
local devices = { "mobile", "desktop", "tablet" }
local path = "/api/0/projects/default/default/business-events/?sentry_key=" .. key
local headers = { ["Content-Type"] = "application/json" }

function setup(thread)
  thread:set("ok", 0)
  thread:set("other", 0)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  ok = 0
  other = 0
  sequence = 0
  id = string.format("%08x", math.random(0, 0x7fffffff))
end

function request()
  local events = {}
  for i = 1, batch do
    sequence = sequence + 1
    local value = ""
    if i % 5 == 0 then value = string.format(',"value":%d', math.random(1, 200)) end
    if spread > 0 then value = value .. string.format(',"timestamp":%d', os.time() - math.random(0, spread * 86400)) end
    events[i] = string.format('{"id":"%s-%d","name":"%s","user_id":"u%d","properties":{"plan":"%s","source":"%s","device":"%s"}%s}',
      id, sequence, names[math.random(1, #names)], math.random(1, 10000), plans[math.random(1, #plans)],
      sources[math.random(1, #sources)], devices[math.random(1, #devices)], value)
  end
  return wrk.format("POST", path, headers, "[" .. table.concat(events, ",") .. "]")
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
  io.write(string.format("accepted_requests=%d refused=%d events_per_request=%d\n", total_ok, total_other, batch))
  io.write(string.format("latency_p50_ms=%.2f latency_p90_ms=%.2f latency_p99_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
