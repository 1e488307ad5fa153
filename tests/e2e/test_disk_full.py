"""A full disk: the SQLite database on a small tmpfs is filled during ingest. Ingest answers 503
with Retry-After instead of 500, /readyz says why, the free-space gauge is exported, no
acknowledged event is lost or corrupted, and ingest resumes by itself once space returns."""
import json
import os
import sqlite3
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

from conftest import Server


def envelope(event_id):
    # Incompressible text, so each event takes real room on disk.
    event = {"event_id": event_id, "level": "error", "message": "checkout failed", "platform": "python",
             "extra": {"noise": os.urandom(12_000).hex()}}
    return "\n".join([json.dumps({"event_id": event_id}), json.dumps({"type": "event"}), json.dumps(event)]) + "\n"


def free_bytes(path):
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        pytest.fail("mounting a tmpfs needs root (CI runs as root)")
    mount = tempfile.mkdtemp(prefix="telltale-disk-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", mount], check=False)
        os.rmdir(mount)


def test_full_disk_refuses_with_503_loses_nothing_and_recovers(small_disk, base_env):
    server = Server(small_disk, base_env).start()
    filler = os.path.join(small_disk, "filler")
    try:
        dsn = server.dsn()
        key, project = dsn.split("//")[1].split("@")[0], dsn.rsplit("/", 1)[1]
        url = f"{server.url}/api/{project}/envelope/"
        headers = {"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7", "Content-Type": "application/x-sentry-envelope"}
        session = requests.Session()

        # Leave about 3 MB free, then send until the disk refuses.
        with open(filler, "wb") as out:
            out.write(b"\0" * max(0, free_bytes(small_disk) - 3_000_000))
        acknowledged, refusals = [], []
        for _ in range(2_000):
            event_id = uuid.uuid4().hex
            answer = session.post(url, data=envelope(event_id), headers=headers, timeout=30)
            if answer.status_code == 200:
                acknowledged.append(event_id)
            else:
                refusals.append(answer)
                if len(refusals) >= 5:
                    break
        assert refusals, f"the disk never filled ({len(acknowledged)} events stored, {free_bytes(small_disk)} bytes free)"
        for answer in refusals:
            assert answer.status_code == 503, (answer.status_code, answer.text)
            assert answer.headers.get("Retry-After") == "60", answer.headers
            assert "disk is full" in answer.text, answer.text

        ready = session.get(server.url + "/readyz", timeout=10)
        assert ready.status_code == 503, ready.text
        report = ready.json()
        assert report["disk_full"] is True and "disk is full" in report["detail"], report
        metrics = session.get(server.url + "/metrics", timeout=10).text
        assert "telltale_disk_free_bytes " in metrics, metrics[:500]

        # Space returns: ingest resumes by itself, and /readyz says ready again.
        os.remove(filler)
        resumed = None
        for _ in range(100):
            event_id = uuid.uuid4().hex
            if session.post(url, data=envelope(event_id), headers=headers, timeout=30).status_code == 200:
                acknowledged.append(event_id)
                resumed = event_id
                break
            time.sleep(0.1)
        assert resumed, "ingest did not resume after space was freed"
        assert session.get(server.url + "/readyz", timeout=10).json()["status"] == "ready"
    finally:
        server.stop()
        if os.path.exists(filler):
            os.remove(filler)

    # Every acknowledged event is stored, and the database is whole.
    with sqlite3.connect(os.path.join(small_disk, "telltale-data", "telltale.db")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT event_id FROM events")}
    missing = [event_id for event_id in acknowledged if event_id not in stored]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged events are missing"
