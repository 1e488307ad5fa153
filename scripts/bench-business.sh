#!/usr/bin/env bash
# Business events benchmark: a release build on embedded SQLite, wrk posting batches of
# business events with the project's key; prints events/s and request latency, then checks
# that every accepted event is stored once and counted in the daily figures.
#   scripts/bench-business.sh [connections=8] [seconds=15] [events per request=100]
# TELLTALE_SPREAD_DAYS=29 dates the events over the last 29 days; the metrics over 30 days are
# then read for 20 s at 4 connections and their latency printed.
# TELLTALE_BENCH_FUNNEL=1 defines a three-step funnel over the generated events (segmented by
# two properties) before the load, so every write also moves users through it; with a spread,
# its 30-day report (split by a segment) is read for 20 s too.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-8}
SECONDS_RUN=${2:-15}
BATCH=${3:-100}
PORT=${TELLTALE_BENCH_PORT:-8691}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
source scripts/bench-binary.sh
WORK=$(mktemp -d /tmp/telltale-bench.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
(cd "$WORK" && TELLTALE_HTTP_PORT=$PORT TELLTALE_LOG_LEVEL=warning exec "$BIN" serve > "$WORK/server.log" 2>&1) &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
DSN=$(grep -o 'http://[0-9a-f]*@127.0.0.1:[0-9]*/[0-9]*' "$WORK/server.log" | head -1)
KEY=${DSN#http://}; KEY=${KEY%%@*}
TOKEN=$(cd "$WORK" && "$BIN" token create --user admin@telltale.local --name bench --scopes "event:read project:write" | sed -n 's/^Secret (shown only now): //p')
if [ "${TELLTALE_BENCH_FUNNEL:-0}" = 1 ]; then
    FUNNEL=$(curl -sf -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" "http://127.0.0.1:$PORT/api/0/organizations/default/funnels/" \
        -d '{"name": "Bench", "steps": [{"event": "event_1"}, {"event": "event_2"}, {"event": "event_3", "where": {"plan": "pro"}}], "conversion_window_seconds": 604800, "segments": ["source", "device"]}' \
        | sed -n 's/.*"id":"\([0-9]*\)".*/\1/p')
    echo "==> funnel $FUNNEL defined: event_1 → event_2 → event_3 (plan pro), segments source and device"
fi
echo "==> wrk: $CONNECTIONS connections, ${SECONDS_RUN}s, $BATCH events per request"
OUT=$(TELLTALE_KEY=$KEY TELLTALE_BATCH=$BATCH TELLTALE_SPREAD_DAYS=${TELLTALE_SPREAD_DAYS:-0} wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s bench/business_events.lua "http://127.0.0.1:$PORT")
echo "$OUT" | grep -E "Requests/sec|accepted|latency_p"
REQUESTS=$(echo "$OUT" | sed -n 's/.*accepted_requests=\([0-9]*\).*/\1/p')
EVENTS=$((REQUESTS * BATCH))
echo "events_per_s=$(awk -v e="$EVENTS" -v s="$SECONDS_RUN" 'BEGIN {printf "%.0f", e / s}')"
DB="$WORK/telltale-data/telltale.db"
sleep 1  # requests in flight when wrk stopped still commit
STORED=$(sqlite3 "$DB" "select count(*) from business_events")
COUNTED=$(sqlite3 "$DB" "select coalesce(sum(n), 0) from business_daily where name = '*'")
echo "accepted_events=$EVENTS stored=$STORED counted_in_daily_rows=$COUNTED"
[ "$STORED" -ge "$EVENTS" ] && [ "$STORED" = "$COUNTED" ] && echo "every accepted event is stored once and counted"
if [ "${TELLTALE_SPREAD_DAYS:-0}" -gt 0 ]; then
    echo "==> GET business-metrics over 30 days: daily rows $(sqlite3 "$DB" "select count(*) from business_daily"), events $STORED"
    wrk -t2 -c4 -d20s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/0/organizations/default/business-metrics/?statsPeriod=30d" \
        | grep -E "Requests/sec|Non-2xx|^ +(50|90|99)%"
    if [ -n "${FUNNEL:-}" ]; then
        echo "==> GET the funnel's report over 30 days by source: funnel rows $(sqlite3 "$DB" "select count(*) from funnel_daily"), users in progress $(sqlite3 "$DB" "select count(*) from funnel_progress")"
        curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/0/organizations/default/funnels/$FUNNEL/?statsPeriod=30d&segment=source" | head -c 400; echo
        wrk -t2 -c4 -d20s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/0/organizations/default/funnels/$FUNNEL/?statsPeriod=30d&segment=source" \
            | grep -E "Requests/sec|Non-2xx|^ +(50|90|99)%"
    fi
fi
