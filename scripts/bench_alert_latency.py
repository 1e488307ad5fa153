"""From the commit of a triggering event to the webhook receiver's receipt: starts Telltale
(BIN) on a fresh SQLite directory, points 20 rules (one per `shard` tag, so no rule's group
interval holds back the next event) at a local webhook receiver, sends events through the
store endpoint (whose answer comes after the commit) at a steady rate, and prints the
latency percentiles.
    python3 scripts/bench_alert_latency.py BIN [events=300] [per_second=10]"""
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

BIN, EVENTS, RATE = os.path.abspath(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 300, float(sys.argv[3]) if len(sys.argv) > 3 else 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


received = {}
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        at = time.time()
        with lock:
            for alert in body["alerts"]:
                received.setdefault(alert["title"], at)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


receiver = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
work = tempfile.mkdtemp(prefix="telltale-alert-bench-")
port = free_port()
env = {k: v for k, v in os.environ.items() if not k.startswith("TELLTALE_")}
env.update(TELLTALE_HTTP_PORT=str(port), TELLTALE_LOG_LEVEL="warning")
log = open(os.path.join(work, "server.log"), "w")
server = subprocess.Popen([BIN, "serve"], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
try:
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    dsn = re.search(r"http://(\w+)@127\.0\.0\.1:\d+/(\d+)", open(os.path.join(work, "server.log")).read())
    key, project = dsn.group(1), dsn.group(2)
    token = re.search(r"Secret \(shown only now\): (\S+)", subprocess.run(
        [BIN, "token", "create", "--user", "admin@telltale.local", "--name", "bench", "--scopes", "project:write"],
        cwd=work, env=env, capture_output=True, text=True).stdout).group(1)
    api = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    def call(method, path, body=None):
        api.request(method, "/api/0/" + path, json.dumps(body) if body is not None else None, headers)
        response = api.getresponse()
        data = response.read()
        assert response.status < 300, (path, response.status, data)
        return json.loads(data) if data else None

    for rule in call("GET", "organizations/default/alert-rules/"):
        call("DELETE", f"alert-rules/{rule['id']}/")
    channel = call("POST", "organizations/default/channels/", {"type": "webhook", "name": "bench",
                                                               "config": {"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook", "secret": "bench"}})
    for shard in range(20):
        call("POST", "organizations/default/alert-rules/", {
            "name": f"shard {shard}", "conditions": [{"type": "level", "at_least": "error"}],
            "filters": [{"type": "tag", "key": "shard", "value": str(shard)}],
            "actions": [{"type": "notify", "channels": [channel["id"]]}], "action_interval_seconds": 0, "group_interval_seconds": 1})
    ingest = http.client.HTTPConnection("127.0.0.1", port)
    auth = {"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7", "Content-Type": "application/json"}
    committed = {}
    start = time.time()
    for i in range(EVENTS):
        title = f"bench failure {uuid.uuid4().hex[:12]}"
        event = {"event_id": uuid.uuid4().hex, "level": "error", "message": title, "platform": "python", "tags": {"shard": str(i % 20)},
                 "fingerprint": [title]}  # an issue of its own, so the alert names this event
        ingest.request("POST", f"/api/{project}/store/", json.dumps(event), auth)
        response = ingest.getresponse()
        response.read()
        assert response.status == 200, response.status
        committed[title] = time.time()
        time.sleep(max(0, start + (i + 1) / RATE - time.time()))
    deadline = time.time() + 30
    while time.time() < deadline:
        with lock:
            if all(title in received for title in committed):
                break
        time.sleep(0.1)
    with lock:
        latencies = sorted((received[t] - committed[t]) * 1000 for t in committed if t in received)
    missing = len(committed) - len(latencies)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]

    if missing:
        history = call("GET", "organizations/default/alerts/?limit=10")
        print("alerts:", [(a["rule_id"], a["status"], a["title"][:30]) for a in history["alerts"]][:6])
        print("notifications:", [(n["status"], n["title"][:30], n.get("last_error")) for n in history["notifications"]][:6])
    if missing and received:
        print("sample received title:", next(iter(received)), "sample sent:", next(iter(committed)))
    print(f"commit_to_webhook_ms p50={pct(50):.0f} p90={pct(90):.0f} p99={pct(99):.0f} max={latencies[-1]:.0f} "
          f"events={len(committed)} delivered={len(latencies)} missing={missing}")
    sys.exit(1 if missing else 0)
finally:
    server.terminate()
    server.wait(timeout=30)
    receiver.shutdown()
