#!/usr/bin/env bash
# Runs every Telltale test: the Swift suites (domain, storage on SQLite and PostgreSQL, HTTP),
# the end-to-end suites in tests/e2e (the real server binary driven from Python), and the
# release package (scripts/package.sh, then tests/package/check.sh).
#
# System packages: installs what is missing on Debian/Ubuntu when run as root (see
# scripts/system-packages.sh); otherwise prints the apt-get line and stops.
#
# PostgreSQL: uses TELLTALE_TEST_POSTGRES_URL when set, otherwise starts a throwaway cluster
# on 127.0.0.1 (installing Debian's postgresql package when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
ensure_packages test
source scripts/test-postgres.sh
trap stop_test_postgres EXIT

if [ -z "${TELLTALE_TEST_POSTGRES_URL:-}" ]; then
    if ! start_test_postgres; then
        echo "!!! ============================================================="
        echo "!!! PostgreSQL is not available: the PostgreSQL suites will FAIL."
        echo "!!! Install postgresql or set TELLTALE_TEST_POSTGRES_URL."
        echo "!!! ============================================================="
        exit 1
    fi
fi

echo "==> Building"
swift build --build-tests
swift build --product telltale
swift build --product telltale-example-shop

echo "==> Swift test suites (SQLite and PostgreSQL)"
swift test --skip-build --parallel --num-workers 2

echo "==> End-to-end suites (tests/e2e)"
VENV=.build/e2e-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r tests/e2e/requirements.txt
TELLTALE_BIN="$(swift build --show-bin-path)/telltale" "$VENV/bin/python" -m pytest -q tests/e2e

echo "==> Release package (scripts/package.sh, tests/package/check.sh)"
scripts/package.sh
tests/package/check.sh
