#!/usr/bin/env bash
# Issue-list and dashboard benchmark: a release build on embedded SQLite with 1,000,000
# events in 10,000 issues (generated straight into the schema, each event carrying a real
# stored payload), then each API read and each dashboard page timed over sequential
# requests, a full pass of the analysis detectors (with a burst in 200 issues and a counting
# classification rule) and the correlation of issues. Prints p50/p90/p99 per request kind.
#   scripts/bench-issues.sh [events=1000000] [requests=60]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
REQUESTS=${2:-60}
PORT=${TELLTALE_BENCH_PORT:-8691}
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3"; exit 1; }
source scripts/bench-binary.sh
WORK=$(mktemp -d /tmp/telltale-bench-issues.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"
(TELLTALE_HTTP_PORT=$PORT TELLTALE_LOG_LEVEL=warning TELLTALE_ADMIN_PASSWORD=bench-password exec "$BIN" serve > server.log 2>&1) &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
TOKEN=$("$BIN" token create --user admin@telltale.local --name bench --scopes "org:read project:read event:read" | grep -o 'tlt_[0-9a-f]*')
DB=telltale-data/telltale.db
# One real event through the native API gives the generated events a real stored payload.
KEY=$(sqlite3 "$DB" "select public_key from client_keys limit 1")
curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/api/0/projects/default/default/errors/" -H "X-Sentry-Auth: Sentry sentry_key=$KEY" \
    -H "Content-Type: application/json" -d '{"message": "request failed", "error_type": "TimeoutError", "severity": "high", "tags": {"region": "eu"},
    "stack_trace": "Traceback (most recent call last):\n  File \"app/handlers.py\", line 42, in handle\n    run()\n  File \"app/db.py\", line 7, in run\n    query()\nTimeoutError: request failed"}'
sqlite3 "$DB" "delete from issue_tags; delete from issue_users; delete from issue_hashes; update events set issue_id = null; delete from issues; delete from sqlite_sequence where name = 'issues';"

echo "==> Generating $EVENTS events in 10,000 issues"
START=$(date +%s)
sqlite3 "$DB" <<SQL
.timeout 60000
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO issues (project_id, short_number, primary_hash, grouping_version, grouping_strategy, grouping_components, type, title, culprit,
                    level, status, first_seen, last_seen, times_seen, user_count)
SELECT 1, i, printf('%032x', i), 'telltale:v1', 'exception', '["type:Error' || i || '"]', 'error', 'Error' || i || ': request failed', 'app.handlers' || (i % 50) || ' in handle',
       CASE i % 10 WHEN 0 THEN 'warning' ELSE 'error' END, CASE WHEN i % 5 = 0 THEN 'resolved' ELSE 'new' END, 0, 0, 0, 0 FROM n;
UPDATE projects SET issue_counter = 10000 WHERE id = 1;
INSERT INTO issue_hashes (project_id, hash, issue_id) SELECT 1, primary_hash, id FROM issues;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EVENTS)
INSERT INTO events (project_id, event_id, issue_id, type, level, title, culprit, platform, release, environment, user_key, tags, grouping_hash,
                    timestamp, received_at, payload)
SELECT 1, lower(hex(randomblob(16))), 1 + (abs(random()) % 100) * (abs(random()) % 100), 'error', 'error', 't', 'c', 'python',
       '1.0.' || (i % 20), CASE i % 7 WHEN 0 THEN 'staging' ELSE 'production' END, 'u' || (abs(random()) % 5000), 'region=eu', '',
       t, t, (SELECT payload FROM events LIMIT 1)
FROM (SELECT i, CAST(strftime('%s', 'now') AS INTEGER) * 1000 - abs(random()) % (30 * 86400000) AS t FROM n);
DELETE FROM events WHERE issue_id IS NULL;
-- The hourly counts ingest keeps, as migration 5 backfills them.
DELETE FROM event_counts;
INSERT INTO event_counts (project_id, hour, level, category, n)
SELECT project_id, received_at / 3600000 * 3600000, level, COALESCE(category, ''), COUNT(*) FROM events
GROUP BY project_id, received_at / 3600000 * 3600000, level, COALESCE(category, '');
UPDATE issues SET times_seen = s.n, first_seen = s.f, last_seen = s.l
FROM (SELECT issue_id, COUNT(*) AS n, MIN(timestamp) AS f, MAX(timestamp) AS l FROM events GROUP BY issue_id) s WHERE issues.id = s.issue_id;
INSERT INTO issue_users (issue_id, user_key) SELECT DISTINCT issue_id, user_key FROM events;
UPDATE issues SET user_count = (SELECT COUNT(*) FROM issue_users WHERE issue_id = issues.id);
-- The five-minute counts ingest keeps, as migration 14 backfills them.
DELETE FROM issue_counts;
INSERT INTO issue_counts (issue_id, bucket, project_id, n)
SELECT issue_id, timestamp / 300000 * 300000, 1, COUNT(*) FROM events GROUP BY issue_id, timestamp / 300000 * 300000;
INSERT INTO issue_tags (issue_id, project_id, key, value, times_seen, first_seen, last_seen)
SELECT issue_id, 1, 'environment', environment, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events GROUP BY issue_id, environment
UNION ALL SELECT issue_id, 1, 'release', release, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events GROUP BY issue_id, release
UNION ALL SELECT issue_id, 1, 'user', user_key, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events GROUP BY issue_id, user_key;
COMMIT;
ANALYZE;
SQL
echo "generated in $(( $(date +%s) - START )) s: $(sqlite3 "$DB" 'select count(*) from events') events, $(sqlite3 "$DB" 'select count(*) from issues') issues, $(du -m "$DB" | cut -f1) MB"

BUSY=$(sqlite3 "$DB" "select id from issues order by times_seen desc limit 1")
# time LABEL PATH CURL-ARGS…: one warm-up, then $REQUESTS timed requests.
time_path() {
    local label=$1 path=$2
    shift 2
    curl -s -o /dev/null "$@" "http://127.0.0.1:$PORT$path"   # warm
    for _ in $(seq 1 "$REQUESTS"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$@" "http://127.0.0.1:$PORT$path"
    done | sort -k2 -n | awk -v label="$label" '
        $1 != 200 { bad++ } { t[NR] = $2 * 1000 }
        END { printf "%-44s p50=%6.1f ms  p90=%6.1f ms  p99=%6.1f ms%s\n", label, t[int(NR*0.5)+1], t[int(NR*0.9)+1], t[int(NR*0.99)+1], (bad ? "  NON-200: " bad : "") }'
}
time_requests() { time_path "$1" "$2" -H "Authorization: Bearer $TOKEN"; }
echo "==> $REQUESTS sequential requests each"
time_requests "list (is:unresolved, last seen, 24h stats)" "/api/0/projects/default/default/issues/"
time_requests "list sorted by events" "/api/0/projects/default/default/issues/?sort=freq"
time_requests "list sorted by users, times_seen:>100" "/api/0/projects/default/default/issues/?sort=user&query=times_seen:%3E100"
time_requests "search environment + release tags" "/api/0/projects/default/default/issues/?query=environment:staging+release:1.0.3"
time_requests "search free text" "/api/0/projects/default/default/issues/?query=%22Error77%22"
time_requests "search age:-24h, no stats" "/api/0/projects/default/default/issues/?query=age:-24h&statsPeriod="
CURSOR=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/0/projects/default/default/issues/?limit=100&query=" \
    | grep -i '^link:' | sed 's/.*cursor="\([^"]*\)".*/\1/' | tr -d '\r')
time_requests "second page (cursor)" "/api/0/projects/default/default/issues/?query=&cursor=$CURSOR"
time_requests "issue detail (busiest: tags, 24h stats)" "/api/0/issues/$BUSY/"
time_requests "events of the busiest issue" "/api/0/issues/$BUSY/events/"
time_requests "organization stats, 24h hourly" "/api/0/organizations/default/stats/"

echo "==> Analysis: correlation ($REQUESTS sequential requests each) and full detector passes"
time_path "correlate the busiest issue" "/api/0/issues/$BUSY/correlate" -X POST -H "Authorization: Bearer $TOKEN"
MEDIAN=$(sqlite3 "$DB" "select id from issues order by times_seen desc limit 1 offset 5000")
time_path "correlate a median issue" "/api/0/issues/$MEDIAN/correlate" -X POST -H "Authorization: Bearer $TOKEN"
# A burst now in 200 issues (what the detectors read: the five-minute counts) and a rule
# that escalates issues with 5 events in 15 minutes.
ADMIN=$("$BIN" token create --user admin@telltale.local --name bench-admin --scopes "project:write project:read" | grep -o 'tlt_[0-9a-f]*')
curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/api/0/organizations/default/classification-rules/" -H "Authorization: Bearer $ADMIN" \
    -H "Content-Type: application/json" -d '{"name": "Bursts", "conditions": [{"type": "frequency", "count": 5, "minutes": 15}], "severity": "critical"}'
sqlite3 "$DB" ".timeout 60000" "INSERT INTO issue_counts (issue_id, bucket, project_id, n)
    SELECT id, CAST(strftime('%s', 'now') AS INTEGER) * 1000 / 300000 * 300000, 1, 40 FROM issues WHERE id % 50 = 0
    ON CONFLICT (issue_id, bucket) DO UPDATE SET n = n + 40"
for pass in 1 2 3; do
    echo "pass $pass: $("$BIN" detect | tr '\n' ' ')"
done

echo "==> Dashboard pages (signed in, HTML rendered on the server), $REQUESTS sequential requests each"
JAR="$WORK/cookies"
FORM_TOKEN=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" -X POST "http://127.0.0.1:$PORT/login" --data-urlencode "_csrf=$FORM_TOKEN" \
    --data-urlencode "email=admin@telltale.local" --data-urlencode "password=bench-password"
time_page() { time_path "$1" "$2" -b "$JAR"; }
time_page "page: overview, 24 h" "/organizations/default/"
time_page "page: overview, 7 days" "/organizations/default/?period=7d"
time_page "page: issues (unresolved, last seen)" "/organizations/default/issues/"
time_page "page: issues sorted by events" "/organizations/default/issues/?query=is:unresolved&sort=freq"
time_page "page: issues, tag search" "/organizations/default/issues/?query=environment:staging+release:1.0.3"
time_page "page: issue (busiest, latest event)" "/organizations/default/issues/$BUSY/"
time_page "page: settings" "/organizations/default/settings/"
time_page "page: project settings" "/organizations/default/settings/projects/default/"
time_page "page: members" "/organizations/default/settings/members/"
time_page "page: account" "/account/"
