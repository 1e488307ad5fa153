#!/usr/bin/env bash
# Performance benchmark, on a release build with embedded SQLite:
#  1. ingest: scripts/bench-ingest.sh twice in one run, first the recorded error envelopes, then
#     the recorded Flask transactions (with spans): accepted per second and latency of each;
#  2. queries: TRANSACTIONS transactions over 30 days in 200 names (generated through the ingest
#     writer's own path and rolled up by the rollup job's merge), then the transactions table for
#     24 h and 7 d, the busiest transaction's page and the web-vitals page, each timed over
#     sequential requests (p50/p90/p99), and every name's p50/p95/p99 compared with the exact
#     values of the generated data.
#   scripts/bench-performance.sh [transactions=10000000] [requests=60]
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL=${1:-10000000}
REQUESTS=${2:-60}
PORT=${TELLTALE_BENCH_PORT:-8692}
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
swift build -c release --product telltale >/dev/null
swift build -c release --product telltale-performance-bench >/dev/null
BIN_DIR=$(swift build -c release --show-bin-path)
BIN=${TELLTALE_BENCH_BIN:-$BIN_DIR/telltale}

if [ "${TELLTALE_BENCH_SKIP_INGEST:-0}" != 1 ]; then
    echo "==> Ingest: recorded error envelopes"
    TELLTALE_BENCH_BIN=$BIN scripts/bench-ingest.sh 32 20 | tee /tmp/telltale-bench-errors.txt | grep -E "accepted_events_per_s|latency_p|Latency|every accepted"
    echo "==> Ingest: recorded transactions with spans"
    TELLTALE_BENCH_BIN=$BIN TELLTALE_BENCH_KIND=transactions scripts/bench-ingest.sh 32 20 | tee /tmp/telltale-bench-transactions.txt | grep -E "accepted_events_per_s|latency_p|Latency|every accepted"
    ERRORS=$(sed -n 's/^accepted_events_per_s=//p' /tmp/telltale-bench-errors.txt)
    TXS=$(sed -n 's/^accepted_events_per_s=//p' /tmp/telltale-bench-transactions.txt)
    echo "transactions_per_s=$TXS errors_per_s=$ERRORS ratio=$(awk -v a="$TXS" -v b="$ERRORS" 'BEGIN { printf "%.2f", a / b }')"
fi

WORK=$(mktemp -d /tmp/telltale-bench-performance.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"
start_server() {
    (TELLTALE_HTTP_PORT=$PORT TELLTALE_LOG_LEVEL=warning TELLTALE_ADMIN_PASSWORD=bench-password exec "$BIN" serve > server.log 2>&1) &
    PID=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.1; done
    echo "server did not start"; cat server.log; exit 1
}
start_server
TOKEN=$("$BIN" token create --user admin@telltale.local --name bench --scopes "project:read event:read" | grep -o 'tlt_[0-9a-f]*')
kill -TERM $PID; wait $PID 2>/dev/null || true
DB=telltale-data/telltale.db

echo "==> Generating $TOTAL transactions in 200 names over 30 days"
"$BIN_DIR/telltale-performance-bench" "sqlite://$WORK/$DB" expected.json "$TOTAL" 200 30
echo "database: $(du -m "$DB" | cut -f1) MB; rows: $(sqlite3 "$DB" "select (select count(*) from transactions) || ' transactions, ' || (select count(*) from perf_rollups) || ' rollup rows, ' || (select count(*) from perf_minutes) || ' minute rows'")"
start_server

time_path() {
    local label=$1 path=$2
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path"   # warm
    for _ in $(seq 1 "$REQUESTS"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path"
    done | sort -k2 -n | awk -v label="$label" '
        $1 != 200 { bad++ } { t[NR] = $2 * 1000 }
        END { printf "%-40s p50=%6.1f ms  p90=%6.1f ms  p99=%6.1f ms%s\n", label, t[int(NR*0.5)+1], t[int(NR*0.9)+1], t[int(NR*0.99)+1], (bad ? "  NON-200: " bad : "") }'
}
API=/api/0/projects/default/default/performance
echo "==> $REQUESTS sequential requests each"
time_path "transactions table, 24h" "$API/transactions/?statsPeriod=24h"
time_path "transactions table, 7d" "$API/transactions/?statsPeriod=7d"
time_path "transactions table, 30d, by p95" "$API/transactions/?statsPeriod=30d&sort=-p95"
time_path "busiest transaction's page, 24h" "$API/transactions/%2Fpage-0/?statsPeriod=24h"
time_path "busiest transaction's page, 7d" "$API/transactions/%2Fpage-0/?statsPeriod=7d"
time_path "web vitals by device, 24h" "$API/web-vitals/?statsPeriod=24h&segment=device"
time_path "web vitals by browser, 7d" "$API/web-vitals/?statsPeriod=7d&segment=browser"
time_path "slow spans (db), 24h" "$API/spans/?op=db&statsPeriod=24h"

echo "==> Percentiles against the exact values of the generated data"
python3 - "$PORT" "$TOKEN" expected.json <<'PY'
import json, sys, urllib.request
port, token, expected = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
def get(path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request))
# The same windows as the generator's exact values (start and end), so both hold the same transactions.
for window in ("24h", "7d"):
    span = expected["windows"][window]
    rows = {row["name"]: row for row in get(f"/api/0/projects/default/default/performance/transactions/?start={span['start']}&end={span['end']}")}
    worst, compared, count_mismatch = 0.0, 0, 0
    for name, exact in expected[window].items():
        row = rows.get(name)
        if row is None or row["count"] != exact["count"]:
            count_mismatch += 1
            continue
        for q in ("p50", "p75", "p95", "p99"):
            worst = max(worst, abs(row[q] - exact[q]) / exact[q])
        compared += 1
    print(f"{window}: {compared} names compared (p50, p75, p95, p99), max relative error {worst * 100:.3f} %; {count_mismatch} names with a different count")
PY
