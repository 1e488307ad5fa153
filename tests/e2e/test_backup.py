"""Online backup and restore of the embedded SQLite database: a backup taken while two
clients keep sending holds every event acknowledged before it started; the restored data
directory serves them; a .zst backup is compressed and restores the same; restore refuses a
non-empty directory and a newer schema."""
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid

import requests

from conftest import Server, cli, free_port


def envelope(event_id):
    event = {"event_id": event_id, "level": "error", "message": "checkout failed", "platform": "python"}
    return "\n".join([json.dumps({"event_id": event_id}), json.dumps({"type": "event"}), json.dumps(event)]) + "\n"


def test_backup_while_ingesting_then_restore(server, workdir, base_env):
    dsn = server.dsn()
    key, project = dsn.split("//")[1].split("@")[0], dsn.rsplit("/", 1)[1]
    url = f"{server.url}/api/{project}/envelope/"
    headers = {"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7", "Content-Type": "application/x-sentry-envelope"}
    acknowledged = []  # (when the answer came, event id)
    lock = threading.Lock()
    stop = threading.Event()

    def send():
        session = requests.Session()
        while not stop.is_set():
            event_id = uuid.uuid4().hex
            if session.post(url, data=envelope(event_id), headers=headers, timeout=10).status_code == 200:
                with lock:
                    acknowledged.append((time.time(), event_id))

    senders = [threading.Thread(target=send) for _ in range(2)]
    for thread in senders:
        thread.start()
    try:
        deadline = time.time() + 30
        while len(acknowledged) < 300 and time.time() < deadline:
            time.sleep(0.05)
        started = time.time()
        backup = os.path.join(workdir, "telltale-backup.db")
        made = cli(workdir, base_env, "backup", "--to", backup)
        time.sleep(0.5)  # ingest went on during and after the backup
    finally:
        stop.set()
        for thread in senders:
            thread.join(timeout=30)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "integrity ok" in made.stdout and "schema version" in made.stdout
    # The backup is in the audit log, made by the command line.
    with sqlite3.connect(os.path.join(workdir, "telltale-data", "telltale.db")) as db:
        logged = db.execute("SELECT actor, target_id FROM audit_log WHERE action = 'backup.create'").fetchall()
    assert logged == [("cli", "telltale-backup.db")], logged
    with lock:
        before = {event_id for at, event_id in acknowledged if at < started}
        after = [event_id for at, event_id in acknowledged if at > started]
    assert len(before) >= 300 and after, (len(before), len(after))

    # Restored elsewhere: every event acknowledged before the backup started is there.
    elsewhere = tempfile.mkdtemp(prefix="telltale-restore-")
    try:
        restored = cli(elsewhere, base_env, "restore", "--from", backup)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        with sqlite3.connect(os.path.join(elsewhere, "telltale-data", "telltale.db")) as db:
            stored = {row[0] for row in db.execute("SELECT event_id FROM events")}
        assert before <= stored, f"{len(before - stored)} acknowledged events missing from the backup"
        # Its stored secrets need the original key: restore says so, and with the key file copied over
        # a server started on it serves the events.
        assert "sealed under secrets key" in restored.stdout, restored.stdout
        shutil.copy(os.path.join(workdir, "telltale-data", "secrets.key"), os.path.join(elsewhere, "telltale-data", "secrets.key"))
        env = dict(base_env, TELLTALE_HTTP_PORT=str(free_port()))
        copy = Server(elsewhere, env).start()
        try:
            assert requests.get(copy.url + "/readyz", timeout=10).json()["status"] == "ready"
        finally:
            copy.stop()

        # Compressed with Zstandard when the name ends in .zst, and restored from it the same way.
        packed = os.path.join(workdir, "telltale-backup.db.zst")
        zst = cli(workdir, base_env, "backup", "--to", packed)
        assert zst.returncode == 0 and "compressed" in zst.stdout, zst.stdout + zst.stderr
        assert os.path.getsize(packed) < os.path.getsize(backup) / 2
        unpacked = tempfile.mkdtemp(prefix="telltale-restore-")
        try:
            assert cli(unpacked, base_env, "restore", "--from", packed).returncode == 0
            with sqlite3.connect(os.path.join(unpacked, "telltale-data", "telltale.db")) as db:
                assert before <= {row[0] for row in db.execute("SELECT event_id FROM events")}
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)

        # Refusals: an existing backup file, a data directory that is not empty, a newer schema.
        again = cli(workdir, base_env, "backup", "--to", backup)
        assert again.returncode == 1 and "exists" in again.stderr, again.stderr
        twice = cli(elsewhere, base_env, "restore", "--from", backup)
        assert twice.returncode == 1 and "not empty" in twice.stderr, twice.stderr
        newer = os.path.join(workdir, "from-the-future.db")
        shutil.copy(backup, newer)
        with sqlite3.connect(newer) as db:
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'later', 0)")
        third = tempfile.mkdtemp(prefix="telltale-restore-")
        try:
            refused = cli(third, base_env, "restore", "--from", newer)
            assert refused.returncode == 1 and "knows only up to" in refused.stderr, refused.stderr
            assert not os.path.exists(os.path.join(third, "telltale-data", "telltale.db"))
        finally:
            shutil.rmtree(third, ignore_errors=True)
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)


def test_backup_on_postgresql_points_to_pg_dump(workdir, base_env):
    env = dict(base_env, TELLTALE_DATABASE_URL="postgres://telltale@127.0.0.1:1/telltale?sslmode=disable")
    answer = cli(workdir, env, "backup", "--to", os.path.join(workdir, "x.db"))
    assert answer.returncode == 2 and "pg_dump" in answer.stderr, answer.stderr
