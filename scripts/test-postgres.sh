# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the test suites (sourced by scripts/test.sh).
# Sets TELLTALE_TEST_POSTGRES_URL and stops the cluster when the calling script exits.
# Tests run it with fsync off; TELLTALE_TEST_POSTGRES_OPTIONS replaces that (the scale-out
# benchmark sets it empty, for durable commits).

find_pg_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    return 1
}

start_test_postgres() {
    local bin
    if ! bin=$(find_pg_bin); then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "==> PostgreSQL server not found; installing Debian's postgresql package"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
            bin=$(find_pg_bin) || return 1
        else
            return 1
        fi
    fi
    PG_TEST_DIR=$(mktemp -d /tmp/telltale-pg.XXXXXX)
    PG_TEST_PORT=${TELLTALE_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    # PostgreSQL refuses to run as root: run the cluster as the postgres user then.
    local run=()
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home "$PG_TEST_DIR" postgres
        chown postgres "$PG_TEST_DIR"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U telltale --auth=trust -E UTF8 >"$PG_TEST_DIR/initdb.log" 2>&1 || { cat "$PG_TEST_DIR/initdb.log"; return 1; }
    "${run[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR ${TELLTALE_TEST_POSTGRES_OPTIONS--c fsync=off} -c max_connections=300" start >/dev/null \
        || { cat "$PG_TEST_DIR/server.log"; return 1; }
    PG_TEST_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m fast stop)
    export TELLTALE_TEST_POSTGRES_URL="postgres://telltale@127.0.0.1:$PG_TEST_PORT/postgres?sslmode=disable"
    echo "==> Throwaway PostgreSQL running at 127.0.0.1:$PG_TEST_PORT"
}

stop_test_postgres() {
    if [ -n "${PG_TEST_DIR:-}" ]; then
        "${PG_TEST_STOP[@]}" >/dev/null 2>&1 || true
        rm -rf "$PG_TEST_DIR"
    fi
}
