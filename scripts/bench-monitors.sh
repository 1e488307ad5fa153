#!/usr/bin/env bash
# Monitor benchmark: a release build on embedded SQLite with N HTTP monitors at a 60 s interval
# against a local target, measured after every monitor has run once: checks done against
# checks due, scheduler lag, health grid and status page latency, memory. Then heartbeat
# pings with wrk: accepted per second, and every accepted ping recorded.
#   scripts/bench-monitors.sh [monitors=10000] [measure_seconds=120] [ping_seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}
MEASURE=${2:-120}
PING_SECONDS=${3:-20}
PORT=${TELLTALE_BENCH_PORT:-8691}
TARGET_PORT=$((PORT + 1))
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
source scripts/bench-binary.sh
WORK=$(mktemp -d /tmp/telltale-bench.XXXXXX)
trap 'kill $PID $TARGET_PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PASSWORD=bench-password-123

# The watched service: a threaded static file server answering 200.
mkdir -p "$WORK/site" && echo '{"status":"ok"}' > "$WORK/site/health"
python3 -m http.server "$TARGET_PORT" --bind 127.0.0.1 --directory "$WORK/site" > "$WORK/target.log" 2>&1 &
TARGET_PID=$!

# Starts `telltale serve` in $1 and sets PID, SERVER_PID and TOKEN.
start_server() {
    (cd "$1" && TELLTALE_HTTP_PORT=$PORT TELLTALE_LOG_LEVEL=warning TELLTALE_ADMIN_PASSWORD=$PASSWORD exec "$BIN" serve > "$1/server.log" 2>&1) &
    PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
    SERVER_PID=$(pgrep -P $PID telltale || echo $PID)
    TOKEN=$(cd "$1" && "$BIN" token create --user admin@telltale.local --name bench --scopes "org:admin project:admin event:admin member:admin" | sed -n 's/^Secret (shown only now): //p')
}
start_server "$WORK"
echo "==> $COUNT HTTP monitors, 60 s interval, measured for ${MEASURE}s"
python3 bench/monitors.py "http://127.0.0.1:$PORT" "$TOKEN" "$COUNT" "http://127.0.0.1:$TARGET_PORT/health" "$MEASURE" \
    "$WORK/telltale-data/telltale.db" "$SERVER_PID" "$PASSWORD"

# Heartbeat pings over 1000 heartbeat monitors with wrk: accepted per second, then every
# accepted ping counted in the database after the server stopped.
ping_bench() {
    local label=$1 data=$2
    echo "==> heartbeat pings $label: wrk, 64 connections (64 jobs pinging at once), ${PING_SECONDS}s, over 1000 heartbeat monitors"
    python3 - "$PORT" "$TOKEN" "$WORK/tokens" <<'PY'
import http.client, json, sys
port, token, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port)
with open(out, "w") as tokens:
    for i in range(1000):
        conn.request("POST", "/api/0/organizations/default/monitors/", json.dumps({"name": f"job-{i}", "type": "heartbeat", "interval_seconds": 3600}),
                     {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        tokens.write(json.loads(conn.getresponse().read())["ping_url"].rsplit("/", 1)[1] + "\n")
PY
    local before out accepted peak_kb stored
    before=$(sqlite3 "$data/telltale-data/telltale.db" "select count(*) from monitor_pings")
    out=$(TELLTALE_TOKENS="$WORK/tokens" wrk -t2 -c64 -d"${PING_SECONDS}s" --latency -s bench/pings.lua "http://127.0.0.1:$PORT")
    echo "$out" | grep -E "Requests/sec|accepted|latency_p"
    accepted=$(echo "$out" | sed -n 's/.*accepted=\([0-9]*\).*/\1/p')
    peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
    kill -TERM $PID; wait $PID 2>/dev/null || true
    stored=$(( $(sqlite3 "$data/telltale-data/telltale.db" "select count(*) from monitor_pings") - before ))
    echo "accepted_pings_per_s=$((accepted / PING_SECONDS)) accepted=$accepted recorded=$stored peak_rss_mb=$((peak_kb / 1024)) ($label)"
    if [ "$stored" -lt "$accepted" ]; then echo "LOST PINGS: $((accepted - stored))"; exit 1; fi
    echo "every accepted ping is recorded"
}
ping_bench "while the $COUNT monitors run" "$WORK"

# The same on a server of their own, the figure the target is about.
mkdir -p "$WORK/alone"
start_server "$WORK/alone"
ping_bench "alone" "$WORK/alone"
