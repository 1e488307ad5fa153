#!/usr/bin/env bash
# Ingest benchmark: a release build on embedded SQLite, wrk replaying recorded SDK envelopes
# (fresh event_id per request) at the given concurrency; prints accepted events/s, latency
# percentiles, server CPU per event, idle and peak RSS, and checks that every accepted event is stored.
#   scripts/bench-ingest.sh [connections=32] [seconds=20]
# TELLTALE_BENCH_IDLE_MONITORS=N first creates N heartbeat monitors that wait for pings (the
# scheduler then has monitors to watch but nothing due), to show it costs ingestion nothing.
# TELLTALE_BENCH_RULES=N replaces the default alert rules with N rules (0: none), to show what
# rule evaluation after the commit costs ingestion (scripts/bench-alerting.sh compares).
# TELLTALE_BENCH_CLASSIFICATION_RULES=N adds N issue classification rules (scripts/bench-paired.sh).
# TELLTALE_BENCH_FORWARDERS=N first creates N forwarders (Datadog, New Relic and webhook in turn)
# sending to a local sink, to show what forwarding costs ingestion; it reports how many
# events the sink received.
# TELLTALE_BENCH_KIND=transactions replays the recorded Flask transactions (with spans) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_RUN=${2:-20}
PORT=${TELLTALE_BENCH_PORT:-8690}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
source scripts/bench-binary.sh
WORK=$(mktemp -d /tmp/telltale-bench.XXXXXX)
SINK_PID=""
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; [ -n "$SINK_PID" ] && kill $SINK_PID 2>/dev/null; rm -rf "$WORK"' EXIT

(cd "$WORK" && TELLTALE_HTTP_PORT=$PORT TELLTALE_LOG_LEVEL=warning exec "$BIN" serve > "$WORK/server.log" 2>&1) &
echo "==> SQLite synchronous=${TELLTALE_DATABASE_SQLITE_SYNCHRONOUS:-full}"
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
DSN=$(grep -o 'http://[0-9a-f]*@127.0.0.1:[0-9]*/[0-9]*' "$WORK/server.log" | head -1)
KEY=${DSN#http://}; KEY=${KEY%%@*}; PROJECT=${DSN##*/}
SERVER_PID=$(pgrep -P $PID telltale || echo $PID)
if [ "${TELLTALE_BENCH_IDLE_MONITORS:-0}" -gt 0 ]; then
    TOKEN=$(cd "$WORK" && "$BIN" token create --user admin@telltale.local --name bench --scopes "project:write" | sed -n 's/^Secret (shown only now): //p')
    python3 - "$PORT" "$TOKEN" "$TELLTALE_BENCH_IDLE_MONITORS" <<'PY'
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for i in range(int(sys.argv[3])):
    conn.request("POST", "/api/0/organizations/default/monitors/", json.dumps({"name": f"job-{i}", "type": "heartbeat", "interval_seconds": 3600}),
                 {"Authorization": "Bearer " + sys.argv[2], "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    assert response.status == 201, response.status
PY
    echo "==> $TELLTALE_BENCH_IDLE_MONITORS idle heartbeat monitors"
fi
if [ -n "${TELLTALE_BENCH_CLASSIFICATION_RULES:-}" ] && [ "$TELLTALE_BENCH_CLASSIFICATION_RULES" -gt 0 ]; then
    TOKEN=$(cd "$WORK" && "$BIN" token create --user admin@telltale.local --name classification --scopes "project:write" | sed -n 's/^Secret (shown only now): //p')
    python3 scripts/bench_classification_rules.py "$PORT" "$TOKEN" "$TELLTALE_BENCH_CLASSIFICATION_RULES"
fi
if [ "${TELLTALE_BENCH_FORWARDERS:-0}" -gt 0 ]; then
    SINK_PORT=$((PORT + 1))
    # At the lowest priority: a real receiver runs on its own machine, not on the cores measured here.
    nice -n 19 python3 scripts/bench_forward_sink.py "$SINK_PORT" "$WORK/forwarded" & SINK_PID=$!
    TOKEN=$(cd "$WORK" && "$BIN" token create --user admin@telltale.local --name forwarders --scopes "project:write" | sed -n 's/^Secret (shown only now): //p')
    python3 - "$PORT" "$TOKEN" "$TELLTALE_BENCH_FORWARDERS" "$SINK_PORT" <<'PY'
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
sink = f"http://127.0.0.1:{sys.argv[4]}"
configs = [{"type": "datadog", "config": {"api_key": "bench-datadog-key", "url": sink + "/dd"}},
           {"type": "newrelic", "config": {"license_key": "bench-newrelic-key", "url": sink + "/nr"}},
           {"type": "webhook", "config": {"url": sink + "/hook", "secret": "bench-secret"}}]
for i in range(int(sys.argv[3])):
    conn.request("POST", "/api/0/projects/default/default/forwarders/", json.dumps(configs[i % 3]),
                 {"Authorization": "Bearer " + sys.argv[2], "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    assert response.status == 201, response.status
PY
    echo "==> $TELLTALE_BENCH_FORWARDERS forwarders to a local sink"
fi
if [ -n "${TELLTALE_BENCH_RULES:-}" ]; then
    TOKEN=$(cd "$WORK" && "$BIN" token create --user admin@telltale.local --name rules --scopes "project:write org:write" | sed -n 's/^Secret (shown only now): //p')
    python3 scripts/bench_rules.py "$PORT" "$TOKEN" "$TELLTALE_BENCH_RULES"
fi
sleep 1
IDLE_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER_PID/status)

echo "==> wrk: $CONNECTIONS connections, ${SECONDS_RUN}s, 2 threads, against $DSN"
if [ "${TELLTALE_BENCH_KIND:-errors}" = transactions ]; then
    FIXTURES="$(cd ../shared/fixtures/flask-shop && pwd)"; export TELLTALE_FIXTURE_NAMES="flask_n_plus_one.1,flask_route_error.2"; TABLE=transactions
else
    FIXTURES="$(cd ../shared/fixtures/sentry-python && pwd)"; TABLE=events
fi
# Per thread: id, name (spaces made _), user and system ticks; the threads' roles come from their names.
# A thread that ends while being read is left out.
threads() {
    for t in /proc/$SERVER_PID/task/*; do
        if name=$(tr ' ' _ < "$t/comm" 2>/dev/null) && ticks=$(cut -d')' -f2 "$t/stat" 2>/dev/null | awk '{print $12, $13}') && [ -n "$ticks" ]; then
            echo "$(basename "$t") $name $ticks"
        fi
    done | sort
}
THREADS_BEFORE=$(threads)
CPU_BEFORE=$(awk '{print $14 + $15}' /proc/$SERVER_PID/stat)
OUT=$(TELLTALE_FIXTURES="$FIXTURES" TELLTALE_KEY=$KEY TELLTALE_PROJECT=$PROJECT \
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s bench/ingest.lua "http://127.0.0.1:$PORT")
echo "$OUT" | grep -E "Requests/sec|Latency|accepted|latency_p"
CPU_AFTER=$(awk '{print $14 + $15}' /proc/$SERVER_PID/stat)
THREADS_AFTER=$(threads)
PEAK_KB=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
ACCEPTED=$(echo "$OUT" | sed -n 's/.*accepted=\([0-9]*\).*/\1/p')
if [ -n "${TELLTALE_BENCH_RULES:-}" ] && [ "$TELLTALE_BENCH_RULES" -gt 0 ]; then
    # Evaluation runs after the commit, off the request path: report how far behind it was.
    python3 - "$WORK/telltale-data/telltale.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
started = time.time()
while True:
    latest = db.execute("select coalesce(max(id), 0) from events").fetchone()[0]
    cursor = db.execute("select coalesce(max(position), 0) from alert_cursors where name = 'events'").fetchone()[0]
    if cursor >= latest or time.time() - started > 300:
        break
    time.sleep(0.2)
print(f"rule_evaluation_caught_up_after_s={time.time() - started:.1f} evaluated_to={cursor} of={latest}")
print("alerts_recorded=" + str(db.execute("select count(*) from alerts").fetchone()[0]))
PY
fi
if [ "${TELLTALE_BENCH_FORWARDERS:-0}" -gt 0 ]; then
    # Forwarding runs after the commit, off the request path: wait for it to catch up.
    WAIT_START=$(date +%s)
    for _ in $(seq 1 1500); do
        FORWARDED=$(cat "$WORK/forwarded" 2>/dev/null || true)
        [ "${FORWARDED:-0}" -ge $((ACCEPTED * TELLTALE_BENCH_FORWARDERS)) ] && break
        sleep 0.2
    done
    SECONDS_WAITED=$(( $(date +%s) - WAIT_START ))
    echo "forwarded_events=${FORWARDED:-0} expected=$((ACCEPTED * TELLTALE_BENCH_FORWARDERS)) caught_up_after_s=$SECONDS_WAITED"
fi
kill -TERM $PID; wait $PID 2>/dev/null || true
STORED=$(sqlite3 "$WORK/telltale-data/telltale.db" "select count(*) from $TABLE")
echo "accepted_events_per_s=$((ACCEPTED / SECONDS_RUN))"
# Server CPU (user + system) over the run per accepted event: steadier than events/s here,
# since wrk shares the cores.
echo "server_cpu_us_per_event=$(( (CPU_AFTER - CPU_BEFORE) * 1000000 / $(getconf CLK_TCK) / (ACCEPTED > 0 ? ACCEPTED : 1) ))"
# Where that CPU went, by the threads' roles: user+system µs per event (system part in brackets).
join -a 2 -e 0 -o 2.2,1.3,1.4,2.3,2.4 <(echo "$THREADS_BEFORE") <(echo "$THREADS_AFTER") | awk -v n=$((ACCEPTED > 0 ? ACCEPTED : 1)) -v hz="$(getconf CLK_TCK)" '
    { role = "other" }
    $1 ~ /^NIO-/ { role = "event_loops" }
    $1 ~ /qos/ { role = "swift_tasks" }
    $1 == "sqlite-writer" { role = "sqlite_writer" }
    $1 ~ /^SGLTN-TP-/ { role = "blocking_pool" }
    { user[role] += $4 - $2; sys[role] += $5 - $3 }
    END {
        line = "server_cpu_us_per_event_by_thread:"
        split("event_loops swift_tasks sqlite_writer blocking_pool other", roles, " ")
        for (i = 1; i <= 5; i++) { r = roles[i]; f = 1e6 / hz / n
            line = line sprintf(" %s=%.1f(%.1f)", r, (user[r] + sys[r]) * f, sys[r] * f) }
        print line
    }'
echo "idle_rss_mb=$((IDLE_KB / 1024)) peak_rss_mb=$((PEAK_KB / 1024))"
echo "accepted=$ACCEPTED stored=$STORED"
if [ "$STORED" -lt "$ACCEPTED" ]; then echo "LOST EVENTS: $((ACCEPTED - STORED))"; exit 1; fi
echo "every accepted event is stored"
