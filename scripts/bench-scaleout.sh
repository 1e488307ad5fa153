#!/usr/bin/env bash
# Scale-out benchmark: the same wrk load as scripts/bench-ingest.sh (recorded SDK envelopes,
# a fresh event id per request) against one node on SQLite, one node on PostgreSQL, and two
# nodes on PostgreSQL behind nginx (packaging/nginx-telltale.conf); prints events/s and the
# server CPU per stored event (Telltale, PostgreSQL and nginx processes) side by side, and
# checks that every accepted event is stored.
#   scripts/bench-scaleout.sh [connections=32] [seconds=10]
# PostgreSQL runs a cluster of its own on 127.0.0.1 with durable commits (fsync on), as the
# SQLite side's synchronous=FULL is. Needs wrk, sqlite3, nginx and PostgreSQL's server.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_RUN=${2:-10}
for tool in wrk sqlite3 nginx psql; do command -v $tool >/dev/null || { echo "$tool is needed: apt-get install wrk sqlite3 nginx postgresql"; exit 1; }; done
source scripts/bench-binary.sh
source scripts/test-postgres.sh
WORK=$(mktemp -d /tmp/telltale-scaleout.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    stop_test_postgres
    rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL of this benchmark's own, with durable commits (the tests' cluster, fsync on).
TELLTALE_TEST_POSTGRES_OPTIONS="" TELLTALE_TEST_POSTGRES_PORT=$(free_port) start_test_postgres >/dev/null \
    || { echo "PostgreSQL's server is needed: apt-get install postgresql"; exit 1; }
PG_PORT=$PG_TEST_PORT

# CPU ticks (user + system) of every process whose command matches, summed.
cpu_ticks() {
    local total=0 pid
    for pid in $(pgrep -f "$1" || true); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo $total
}

# The nodes are one installation: they seal stored secrets with one key.
SECRETS_KEY="$(head -c 32 /dev/urandom | base64)"

start_node() { # name port database-url-or-empty public-url
    local dir="$WORK/$1"
    mkdir -p "$dir"
    (cd "$dir" && exec env TELLTALE_HTTP_PORT="$2" TELLTALE_SECRETS_KEY="$SECRETS_KEY" TELLTALE_LOG_LEVEL=warning TELLTALE_HTTP_PUBLIC_URL="$4" ${3:+TELLTALE_DATABASE_URL=$3} \
        "$BIN" serve > "$dir/server.log" 2>&1) &
    PIDS+=($!)
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return 0; sleep 0.1; done
    echo "node $1 did not become ready:"; cat "$dir/server.log"; exit 1
}

start_nginx() { # port upstream-port...
    local port=$1 dir="$WORK/nginx"
    shift
    mkdir -p "$dir/logs"
    local servers="" user=""
    for upstream in "$@"; do servers+="server 127.0.0.1:$upstream max_fails=1 fail_timeout=3s; "; done
    [ "$(id -u)" = 0 ] && user="user root;"
    python3 - "$port" "$servers" > "$dir/site.conf" <<'PY'
import re, sys
site = open("packaging/nginx-telltale.conf").read()
site = re.sub(r"(?m)^    server 127\.0\.0\.1:\d+ .*\n", "", site).replace("keepalive 32;", sys.argv[2] + "\n    keepalive 32;")
print(site.replace("listen 80;", f"listen 127.0.0.1:{sys.argv[1]};"))
PY
    cat > "$dir/nginx.conf" <<EOF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/site.conf;
}
EOF
    nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;" &
    PIDS+=($!)
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
    echo "nginx did not start:"; cat "$dir/logs/error.log"; exit 1
}

FIXTURES="$(cd ../shared/fixtures/sentry-python && pwd)"
TICK=$(getconf CLK_TCK)
declare -a RESULTS
run_case() { # name url dsn stored-count-command
    local name=$1 url=$2 dsn=$3
    local key=${dsn#http://}; key=${key%%@*}
    local project=${dsn##*/}
    local before_tt before_pg before_ng
    before_tt=$(cpu_ticks "$BIN serve"); before_pg=$(cpu_ticks "postgres"); before_ng=$(cpu_ticks "nginx: ")
    local out
    out=$(TELLTALE_FIXTURES="$FIXTURES" TELLTALE_KEY=$key TELLTALE_PROJECT=$project \
        wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s bench/ingest.lua "$url")
    sleep 1   # the writer's last commits
    local tt=$(( $(cpu_ticks "$BIN serve") - before_tt )) pg=$(( $(cpu_ticks "postgres") - before_pg )) ng=$(( $(cpu_ticks "nginx: ") - before_ng ))
    local accepted stored p99
    accepted=$(echo "$out" | sed -n 's/.*accepted=\([0-9]*\).*/\1/p')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    stored=$(eval "$4")
    local per_event=$(( (tt + pg + ng) * 1000000 / TICK / (stored > 0 ? stored : 1) ))
    RESULTS+=("$(printf '%-22s events_per_s=%-6d cpu_us_per_event=%-5d (telltale %d, postgresql %d, nginx %d) p99=%s accepted=%d stored=%d' \
        "$name" $((accepted / SECONDS_RUN)) $per_event $(( tt * 1000000 / TICK / (stored > 0 ? stored : 1) )) \
        $(( pg * 1000000 / TICK / (stored > 0 ? stored : 1) )) $(( ng * 1000000 / TICK / (stored > 0 ? stored : 1) )) "$p99" "$accepted" "$stored")")
    echo "${RESULTS[-1]}"
    if [ "$stored" -lt "$accepted" ]; then echo "LOST EVENTS in $name: $((accepted - stored))"; exit 1; fi
}

stop_all() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}

psql_count() { psql -h 127.0.0.1 -p "$PG_PORT" -U telltale -d "$1" -Atc "select count(*) from events"; }
dsn_of() { grep -o 'http://[0-9a-f]*@127.0.0.1:[0-9]*/[0-9]*' "$WORK/$1/server.log" | head -1; }

# N nodes on a fresh PostgreSQL database, behind nginx when more than one.
postgres_case() { # name database nodes
    psql -h 127.0.0.1 -p "$PG_PORT" -U telltale -d postgres -qc "CREATE DATABASE $2"
    local entry ports=() i
    entry=$(free_port)
    for i in $(seq 1 "$3"); do
        ports+=("$( [ "$3" = 1 ] && echo "$entry" || free_port)")
        start_node "$2-$i" "${ports[-1]}" "postgres://telltale@127.0.0.1:$PG_PORT/$2?sslmode=disable" "http://127.0.0.1:$entry"
    done
    [ "$3" -gt 1 ] && start_nginx "$entry" "${ports[@]}"
    run_case "$1" "http://127.0.0.1:$entry" "$(dsn_of "$2-1")" "psql_count $2"
    stop_all
    # A group commit the database refused (a deadlock between nodes, say) is retried request by request.
    local retried
    retried=$(cat "$WORK/$2"-*/server.log | grep -c "Group commit failed" || true)
    echo "$1: group commits retried request by request: $retried$(cat "$WORK/$2"-*/server.log | grep -o 'deadlock detected' | head -1 | sed 's/^/ (/; s/$/)/')"
}

echo "==> wrk: $CONNECTIONS connections, ${SECONDS_RUN}s, 2 threads, per setup"
PORT=$(free_port)
start_node sqlite "$PORT" "" "http://127.0.0.1:$PORT"
run_case "sqlite, 1 node" "http://127.0.0.1:$PORT" "$(dsn_of sqlite)" "stop_all; sqlite3 $WORK/sqlite/telltale-data/telltale.db 'select count(*) from events'"
stop_all
postgres_case "postgresql, 1 node" one_node 1
postgres_case "postgresql, 2 nodes" two_nodes 2

echo "==> side by side (CPU: every Telltale, PostgreSQL and nginx process on this machine, per stored event)"
printf '%s\n' "${RESULTS[@]}"
