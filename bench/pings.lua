-- wrk script: heartbeat pings spread over many monitors (tokens from TELLTALE_TOKENS, one per
-- line), half of them success pings, a quarter /start, a quarter exit status 0, counting 200s.
local tokens = {}
for line in io.lines(os.getenv("TELLTALE_TOKENS")) do table.insert(tokens, line) end
local suffixes = { "", "", "/start", "/0" }
local threads = {}

function setup(thread)
  thread:set("ok", 0)
  thread:set("other", 0)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local token = tokens[math.random(#tokens)]
  return wrk.format("GET", "/ping/" .. token .. suffixes[math.random(#suffixes)])
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local accepted, other = 0, 0
  for _, thread in ipairs(threads) do
    accepted = accepted + thread:get("ok")
    other = other + thread:get("other")
  end
  io.write(string.format("accepted=%d other=%d\n", accepted, other))
  io.write(string.format("latency_p50_ms=%.2f latency_p99_ms=%.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
