"""Events acknowledged with 200 survive kill -9 and SIGTERM: the reply comes only after the commit."""
import json
import os
import signal
import sqlite3
import threading
import uuid

import requests

from conftest import Server


def envelope(event_id):
    header = json.dumps({"event_id": event_id})
    payload = json.dumps({"event_id": event_id, "message": f"durability {event_id}", "level": "error", "platform": "python"})
    return (header + "\n" + json.dumps({"type": "event", "length": len(payload)}) + "\n" + payload + "\n").encode()


def load(server, key, project, acknowledged, stop, lock):
    session = requests.Session()
    url = f"{server.url}/api/{project}/envelope/"
    headers = {"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7"}
    for _ in range(2000):
        if stop.is_set():
            return
        event_id = uuid.uuid4().hex
        try:
            response = session.post(url, data=envelope(event_id), headers=headers, timeout=10)
        except requests.RequestException:
            return
        if response.status_code == 200:
            with lock:
                acknowledged.append(event_id)


def run_until_signal(workdir, base_env, sig):
    server = Server(workdir, base_env).start()
    key, project = server.dsn().split("://")[1].split("@")[0], server.dsn().rsplit("/", 1)[1]
    acknowledged, stop, lock = [], threading.Event(), threading.Lock()
    threads = [threading.Thread(target=load, args=(server, key, project, acknowledged, stop, lock)) for _ in range(8)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 300:
        threading.Event().wait(0.01)
    server.process.send_signal(sig)
    server.process.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return server, acknowledged


def stored_ids(workdir):
    with sqlite3.connect(os.path.join(workdir, "telltale-data", "telltale.db")) as connection:
        return {row[0] for row in connection.execute("select event_id from events")}


def test_kill_9_loses_no_acknowledged_event(workdir, base_env):
    server, acknowledged = run_until_signal(workdir, base_env, signal.SIGKILL)
    restarted = Server(workdir, base_env).start()  # recovers the WAL
    restarted.stop()
    missing = set(acknowledged) - stored_ids(workdir)
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged events lost"


def test_sigterm_drains_the_queue(workdir, base_env):
    server, acknowledged = run_until_signal(workdir, base_env, signal.SIGTERM)
    assert server.process.returncode == 0, server.output()
    missing = set(acknowledged) - stored_ids(workdir)
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged events lost"
