#!/usr/bin/env bash
# Times the PostgreSQL step to weekly event tables (schema version 23) on an events table
# filled before it, the way an existing installation upgrades with `telltale migrate`.
#   scripts/bench-event-weeks.sh [events=10000000]
# Fills a schema-22 database with that many events (10 projects, 30 days of receive
# times, rows of about the size stored events have), then prints the fill time, the table's
# size, how long `telltale migrate` took, and checks every event and its id is still there.
# PostgreSQL runs a cluster of its own on 127.0.0.1 with durable commits (fsync on).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-10000000}
command -v psql >/dev/null || { echo "PostgreSQL is needed: apt-get install postgresql"; exit 1; }
source scripts/bench-binary.sh
source scripts/test-postgres.sh
trap stop_test_postgres EXIT
TELLTALE_TEST_POSTGRES_OPTIONS="" TELLTALE_TEST_POSTGRES_PORT=$(free_port) start_test_postgres >/dev/null \
    || { echo "PostgreSQL's server is needed: apt-get install postgresql"; exit 1; }
SERVER="postgres://telltale@127.0.0.1:$PG_TEST_PORT"
psql -q "$SERVER/postgres?sslmode=disable" -c "CREATE DATABASE weeks"
export TELLTALE_DATABASE_URL="$SERVER/weeks?sslmode=disable"
sql() { psql -qAt -v ON_ERROR_STOP=1 "$TELLTALE_DATABASE_URL" "$@"; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

"$BIN" migrate --through 22 >/dev/null
sql -c "INSERT INTO organizations (slug, name, created_at) VALUES ('bench', 'Bench', 0)"
sql -c "INSERT INTO projects (organization_id, slug, name, platform, created_at) SELECT 1, 'p' || g, 'P' || g, 'python', 0 FROM generate_series(1, 10) g"

echo "Filling events (schema 22) with $EVENTS events..."
START=$(date +%s.%N)
NOW_MS=$(( $(date +%s) * 1000 ))
CHUNK=1000000
for ((from = 1; from <= EVENTS; from += CHUNK)); do
    to=$(( from + CHUNK - 1 < EVENTS ? from + CHUNK - 1 : EVENTS ))
    # Payload: ~600 bytes that do not compress, like the deflated JSON stored events hold.
    sql -c "
        INSERT INTO events (project_id, event_id, type, level, title, culprit, platform, release, environment, tags, grouping_hash,
                            timestamp, received_at, payload, category)
        SELECT 1 + g % 10, md5(g::text), 'error', (ARRAY['error','warning','fatal'])[1 + g % 3], 'KeyError: ''cart_' || (g % 500) || '''',
               'shop.views.checkout', 'python', 'shop@1.' || (g % 20), 'production', '{\"route\":\"/checkout\"}', md5((g % 1000)::text),
               $NOW_MS - (g::bigint * 2592000000 / $EVENTS), $NOW_MS - (g::bigint * 2592000000 / $EVENTS),
               decode(repeat(md5(g::text || 'x'), 38), 'hex'), NULL
        FROM generate_series($from, $to) g"
done
FILLED=$(date +%s.%N)
sql -c "VACUUM ANALYZE events"
SIZE=$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('events'))")
echo "filled: $EVENTS events in $(seconds "$START" "$FILLED") s; table with indexes: $SIZE"

BEFORE=$(date +%s.%N)
"$BIN" migrate
AFTER=$(date +%s.%N)
echo "telltale migrate (events stored by week): $(seconds "$BEFORE" "$AFTER") s for $EVENTS events"

STORED=$(sql -c "SELECT COUNT(*) FROM events")
IDS=$(sql -c "SELECT COUNT(*) FROM event_ids")
PARTS=$(sql -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass")
echo "after: $STORED events, $IDS event ids; tables: $PARTS"
[ "$STORED" = "$EVENTS" ] && [ "$IDS" = "$EVENTS" ] || { echo "FAIL: events or ids missing after the migration"; exit 1; }
echo "OK: every event and its id kept"
