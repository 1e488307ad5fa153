#!/usr/bin/env python3
"""Writes the released-schema fixtures in Tests/Fixtures/schemas/: for each version, a SQLite
database migrated to exactly that version by `telltale migrate --through N` (migrations are
append-only, so these are the tables that release's build created), holding a small set of
rows in the shapes that release wrote: an organization, a user, a project and its key, issues
and events (zlib payloads, as releases before Zstandard stored them), and, where the schema
has them, a monitor, an alert channel and a runbook whose secrets are still plain.
The upgrade test (Tests/TelltaleAppTests/SchemaUpgradeTests.swift) migrates each to the
current schema and checks the rows. Usage: scripts/make-schema-fixtures.py TELLTALE_BIN"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zlib

VERSIONS = [9, 16, 22, 23]
NOW = 1_764_900_000_000  # 2025-12-05, milliseconds


def seed(db, version):
    db.execute("INSERT INTO organizations (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', ?)", (NOW,))
    db.execute("INSERT INTO users (id, email, name, password_hash, is_system_admin, created_at) VALUES (1, 'ops@acme.test', 'Ops', 'x', 1, ?)", (NOW,))
    db.execute("INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (1, 1, 'owner', ?)", (NOW,))
    db.execute("INSERT INTO projects (id, organization_id, slug, name, platform, created_at, issue_counter) VALUES (1, 1, 'shop', 'Shop', 'python', ?, 2)", (NOW,))
    db.execute("INSERT INTO client_keys (id, project_id, label, public_key, secret_key, is_active, created_at) VALUES (1, 1, 'Default', ?, ?, 1, ?)",
               ("a" * 32, "b" * 32, NOW))
    for number, (title, level, count) in enumerate([("ZeroDivisionError: division by zero", "error", 3), ("KeyError: 'cart'", "warning", 2)], start=1):
        db.execute("""INSERT INTO issues (id, project_id, short_number, primary_hash, grouping_version, grouping_strategy, grouping_components, type, title,
                      culprit, level, status, first_seen, last_seen, times_seen, user_count) VALUES (?, 1, ?, ?, 1, 'stacktrace', '[]', 'error', ?, 'shop.cart',
                      ?, 'unresolved', ?, ?, ?, 1)""", (number, number, f"hash{number}", title, level, NOW - 3_600_000, NOW, count))
        for n in range(count):
            event_id = f"{number:04x}{n:028x}"
            payload = {"event_id": event_id, "level": level, "message": title, "platform": "python", "tags": [["release", "1.0"]]}
            db.execute("""INSERT INTO events (project_id, event_id, issue_id, type, level, title, culprit, platform, tags, grouping_hash, timestamp,
                          received_at, payload) VALUES (1, ?, ?, 'error', ?, ?, 'shop.cart', 'python', '{"release":"1.0"}', ?, ?, ?, ?)""",
                       (event_id, number, level, title, f"hash{number}", NOW - n * 60_000, NOW - n * 60_000, zlib.compress(json.dumps(payload).encode())))
    if version >= 7:
        config = {"method": "GET", "url": "http://127.0.0.1:9/health", "headers": {"Authorization": "Bearer fixture-monitor-secret"}}
        db.execute("""INSERT INTO monitors (id, organization_id, name, component, type, config, interval_seconds, timeout_seconds, failure_threshold,
                      recovery_threshold, status, status_since, created_at, updated_at) VALUES (1, 1, 'Shop API', 'API', 'http', ?, 60, 10, 2, 2, 'up', ?, ?, ?)""",
                   (json.dumps(config), NOW, NOW, NOW))
    if version >= 9:
        db.execute("INSERT INTO alert_channels (id, organization_id, name, type, config, created_at) VALUES (1, 1, 'Ops hook', 'webhook', ?, ?)",
                   (json.dumps({"url": "http://127.0.0.1:9/hook", "secret": "fixture-channel-secret"}), NOW))
    if version >= 11:
        runbook = {"name": "Restart", "steps": [{"type": "http", "method": "POST", "url": "http://127.0.0.1:9/restart",
                                                  "headers": {"Authorization": "Bearer fixture-runbook-secret"}, "timeout_seconds": 5, "retries": 0,
                                                  "expect_status": [200]}]}
        db.execute("INSERT INTO runbooks (id, organization_id, name, definition, created_at, updated_at) VALUES (1, 1, 'Restart', ?, ?, ?)",
                   (json.dumps(runbook), NOW, NOW))


def main():
    binary = sys.argv[1]
    target = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "schemas")
    for version in VERSIONS:
        work = tempfile.mkdtemp()
        try:
            subprocess.run([binary, "migrate", "--through", str(version)], cwd=work, check=True, capture_output=True,
                           env=dict(os.environ, TELLTALE_LOG_LEVEL="error"))
            path = os.path.join(work, "telltale-data", "telltale.db")
            db = sqlite3.connect(path)
            seed(db, version)
            db.commit()
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
            db.close()
            out = os.path.join(target, f"v{version}.db.zst")
            subprocess.run(["zstd", "-q", "-19", "-f", path, "-o", out], check=True)
            print(f"v{version}: {os.path.getsize(out)} bytes")
        finally:
            shutil.rmtree(work, ignore_errors=True)


main()
