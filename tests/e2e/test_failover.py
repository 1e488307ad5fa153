"""Two nodes behind nginx on one PostgreSQL, the deployment the README describes: the real
Python SDK and a load generator send through nginx; one node is killed with kill -9 mid-load
(every acknowledged event is stored exactly once, the survivor keeps accepting and takes over
the jobs, a monitor keeps being checked, a webhook in flight is delivered again under the
same id, the node rejoins after a restart); then PostgreSQL restarts under load (503 with
Retry-After while it is away, nothing acknowledged is lost, service resumes by itself)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

from conftest import Server, Site, free_port, wait_until
from test_alerting import Webhook
from test_dashboard import PASSWORD, run_app
from test_health import telltale_token

JOBS = {"retention", "alert-history", "monitor-housekeeping", "analysis-detectors", "performance", "business", "error-metrics"}


class Postgres:
    """A PostgreSQL cluster of this test's own on 127.0.0.1, so stopping it disturbs no other test."""

    def __init__(self):
        bins = sorted(d for d in (f"/usr/lib/postgresql/{v}/bin" for v in os.listdir("/usr/lib/postgresql"))
                      if os.path.exists(d + "/initdb")) if os.path.isdir("/usr/lib/postgresql") else []
        if not bins:
            pytest.fail("PostgreSQL's server is not installed (apt-get install postgresql); scripts/test.sh installs it")
        self.bin = bins[-1]
        self.dir = tempfile.mkdtemp(prefix="telltale-failover-pg-")
        self.port = free_port()
        # PostgreSQL refuses to run as root.
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.run_as:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", self.dir + "/data", "-U", "telltale", "--auth=trust", "-E", "UTF8")

    def _run(self, tool, *args):
        result = subprocess.run(self.run_as + [f"{self.bin}/{tool}", *args], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

    def start(self):
        self._run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/server.log", "-w", "-t", "60",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c max_connections=200", "start")

    def stop(self):
        self._run("pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop")

    def url(self):
        return f"postgres://telltale@127.0.0.1:{self.port}/postgres?sslmode=disable"

    def query(self, sql):
        result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "telltale", "-d", "postgres", "-Atc", sql],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines() if line]

    def remove(self):
        try:
            self.stop()
        except AssertionError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Nginx:
    """Debian's nginx balancing the nodes, configured as the README shows."""

    def __init__(self, workdir, ports, port):
        if not shutil.which("nginx"):
            pytest.fail("nginx is not installed (apt-get install nginx); scripts/test.sh installs it")
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(self.dir + "/logs", exist_ok=True)
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in ports)
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "packaging", "nginx-telltale.conf")) as template:
            site = template.read().replace("server 127.0.0.1:8081 max_fails=1 fail_timeout=3s;\n    server 127.0.0.1:8082 max_fails=1 fail_timeout=3s;", servers.strip())
            site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        user = "user root;" if os.getuid() == 0 else ""
        config = f"""{user}
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$status $upstream_addr $upstream_status $request_uri';
    access_log {self.dir}/logs/access.log upstream;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
{site}
}}
"""
        with open(self.dir + "/nginx.conf", "w") as f:
            f.write(config)
        self.process = subprocess.Popen(["nginx", "-p", self.dir, "-c", self.dir + "/nginx.conf", "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(lambda: self._answers(), timeout=20, what="nginx")

    def _answers(self):
        try:
            return requests.get(self.url + "/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def access_log(self):
        with open(self.dir + "/logs/access.log") as f:
            return f.read().splitlines()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Load:
    """Envelopes from several threads through nginx, each with its own event id, retried like an
    SDK's offline cache would (same id) until acknowledged; records what was acknowledged when."""

    def __init__(self, url, project, key, threads=4):
        self.endpoint = f"{url}/api/{project}/envelope/"
        self.headers = {"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7", "Content-Type": "application/x-sentry-envelope"}
        self.acked = {}  # event id -> time acknowledged
        self.refusals = []  # (time, status, Retry-After) of every 503
        self.errors = 0
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.running.set()
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def _send(self):
        session = requests.Session()
        while self.running.is_set():
            event_id = uuid.uuid4().hex
            event = {"event_id": event_id, "level": "warning", "message": "load event", "environment": "load",
                     "platform": "python", "timestamp": time.time()}
            body = (json.dumps({"event_id": event_id}) + "\n" + json.dumps({"type": "event"}) + "\n" + json.dumps(event) + "\n").encode()
            while self.running.is_set():
                try:
                    response = session.post(self.endpoint, data=body, headers=self.headers, timeout=30)
                except requests.RequestException:
                    with self.lock:
                        self.errors += 1
                    time.sleep(0.2)
                    continue
                if response.status_code == 200:
                    with self.lock:
                        self.acked[event_id] = time.time()
                    break
                with self.lock:
                    self.refusals.append((time.time(), response.status_code, response.headers.get("Retry-After")))
                time.sleep(0.2)
            time.sleep(0.01)

    def acked_after(self, moment):
        with self.lock:
            return sum(1 for t in self.acked.values() if t > moment)

    def stop(self):
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=60)


def readyz(server):
    try:
        response = requests.get(server.url + "/readyz", timeout=10)
        return response.status_code, response.json()
    except (requests.RequestException, ValueError):
        return None, {}


def test_two_nodes_behind_nginx_survive_kill_9_and_a_database_restart(workdir, base_env):
    postgres = Postgres()
    postgres.start()
    hook = Webhook("failover-secret")
    checks = []
    target = Site({"/health": ("application/json", lambda: checks.append(time.time()) or b'{"status":"ok"}')})
    nodes, nginx, load = [], None, None
    try:
        ports = [free_port(), free_port()]
        balancer_port = free_port()

        def node(port):
            env = dict(base_env, TELLTALE_HTTP_PORT=str(port), TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_DATABASE_URL=postgres.url(),
                       TELLTALE_HTTP_PUBLIC_URL=f"http://127.0.0.1:{balancer_port}")
            return Server(workdir, env)

        # Node A starts alone: it leads every job and claims the webhook below.
        a = node(ports[0]).start()
        nodes.append(a)
        wait_until(lambda: set(readyz(a)[1].get("leading", [])) == JOBS, timeout=20, what="node A leading every job")
        assert readyz(a)[1]["live_updates"] is True
        token = telltale_token(a)
        api = requests.Session()
        api.headers["Authorization"] = "Bearer " + token
        base = a.url + "/api/0"
        webhook = api.post(base + "/organizations/default/channels/",
                           json={"type": "webhook", "name": "Ops", "config": {"url": hook.url(), "secret": "failover-secret"}}).json()
        rule = api.post(base + "/organizations/default/alert-rules/", json={
            "name": "Failover drill", "match": "any", "conditions": [{"type": "level", "at_least": "error"}],
            "filters": [{"type": "environment", "values": ["drill"]}], "severity": "high",
            "actions": [{"type": "notify", "channels": [webhook["id"]]}], "action_interval_seconds": 0, "group_interval_seconds": 1}).json()
        assert rule.get("id"), rule
        monitor = api.post(base + "/organizations/default/monitors/", json={
            "name": "Shop", "type": "http", "url": target.url + "/health", "interval_seconds": 1, "timeout_seconds": 2}).json()
        assert monitor.get("id"), monitor

        # DSNs name the balancer (http.public_url): nginx runs before B, and sends everything to A.
        nginx = Nginx(workdir, ports, balancer_port)
        key, project = re.match(r"http://(\w+)@127\.0\.0\.1:\d+/(\d+)", a.dsn()).groups()
        dsn = a.dsn()
        assert dsn == f"http://{key}@127.0.0.1:{nginx.port}/{project}", dsn
        wait_until(lambda: requests.get(nginx.url + "/readyz", timeout=2).status_code == 200, what="the balancer")
        load = Load(nginx.url, project, key)
        wait_until(lambda: len(load.acked) > 200, timeout=30, what="load through nginx")
        run_app(dsn, "for i in range(20):\n    sentry_sdk.capture_message(f'sdk before {i}')", environment="sdk")

        # A webhook that A is delivering, held by its receiver (A's attempt would time out after 10 s).
        hook.hold = 30.0
        run_app(dsn, 'raise_error = lambda: 1 / 0\ntry:\n    raise_error()\nexcept Exception:\n    sentry_sdk.capture_exception()',
                environment="drill")
        wait_until(lambda: hook.received, timeout=30, what="the webhook in flight from node A")
        in_flight = hook.received[0][0]
        b = node(ports[1]).start()
        nodes.append(b)

        # kill -9 node A mid-load.
        killed = time.time()
        a.process.kill()
        a.process.wait(timeout=10)
        a.log.close()
        # The survivor keeps accepting through nginx, and leads every job within 10 s.
        wait_until(lambda: load.acked_after(killed + 1) > 100, timeout=30, what="events accepted after the kill")
        took_over = wait_until(lambda: set(readyz(b)[1].get("leading", [])) == JOBS and time.time(), timeout=15, what="node B leading every job")
        assert took_over - killed <= 10.5, f"takeover took {took_over - killed:.1f} s"
        run_app(dsn, "for i in range(20):\n    sentry_sdk.capture_message(f'sdk after {i}')", environment="sdk")
        # The monitor keeps being checked, now by B.
        seen = len(checks)
        wait_until(lambda: len(checks) >= seen + 3, timeout=30, what="monitor checks after the kill")
        # The webhook A held is delivered again by B under the same delivery id, once.
        wait_until(lambda: [r for r in hook.answered if r[0] == in_flight], timeout=40, what="the webhook redelivered by node B")

        # A restarted A rejoins: ready, and nginx sends it requests again.
        a = node(ports[0]).start()
        nodes[0] = a
        rejoined = len(nginx.access_log())
        wait_until(lambda: any(f"127.0.0.1:{ports[0]} 200" in line for line in nginx.access_log()[rejoined:]), timeout=30,
                   what="requests reaching the restarted node")

        # PostgreSQL restarts under load: 503 with Retry-After while it is away, then service resumes.
        postgres.stop()
        stopped = time.time()
        wait_until(lambda: [r for r in load.refusals if r[0] > stopped], timeout=30, what="a refusal while the database is away")
        refused = [r for r in load.refusals if r[0] > stopped]
        assert all(status == 503 and retry for _, status, retry in refused), refused[:5]
        assert readyz(b)[0] == 503
        time.sleep(3)
        postgres.start()
        restarted = time.time()
        wait_until(lambda: load.acked_after(restarted) > 100, timeout=60, what="events accepted after the database restart")
        wait_until(lambda: readyz(a)[0] == 200 and readyz(b)[0] == 200, timeout=30, what="both nodes ready again")
        load.stop()

        # Every acknowledged event is stored exactly once.
        stored = postgres.query("SELECT event_id, COUNT(*) FROM events WHERE environment = 'load' GROUP BY event_id")
        counts = {line.split("|")[0].replace("-", ""): int(line.split("|")[1]) for line in stored}
        missing = [e for e in load.acked if e not in counts]
        doubled = [e for e, n in counts.items() if n > 1]
        print(f"failover: {len(load.acked)} acknowledged, {len(counts)} stored, {len(load.refusals)} refusals, {load.errors} connection errors; "
              f"takeover {took_over - killed:.1f} s")
        assert not missing, f"{len(missing)} acknowledged events missing, e.g. {missing[:3]}"
        assert not doubled, doubled[:3]
        sdk = postgres.query("SELECT COUNT(*) FROM events WHERE environment = 'sdk'")
        assert sdk == ["40"], sdk
        # The held webhook: sent twice on the wire (A's killed attempt, B's), recorded as one delivery.
        assert [r[0] for r in hook.received].count(in_flight) == 2
        record = next(n for n in api.get(b.url + "/api/0/organizations/default/alerts/").json()["notifications"] if n["id"] == in_flight)
        assert record["status"] == "delivered" and [x["outcome"] for x in record["attempts"]] == ["delivered"], record
    except BaseException:
        # What the nodes said, for whoever reads the failure.
        for running in nodes:
            # Background passes failing while the database is away say the same thing each second.
            said = [line for line in running.output().splitlines() if not re.search(r"pass failed|not renewed|not refreshed|runner failed", line)]
            print(f"--- node on {running.url}:\n" + "\n".join(said[-30:]))
        if load:
            print(f"load: {len(load.acked)} acknowledged, last at {max(load.acked.values(), default=0):.1f}; "
                  f"{load.errors} connection errors; last refusals: {load.refusals[-5:]}; now {time.time():.1f}")
        if nginx:
            print("--- nginx access log:\n" + "\n".join(nginx.access_log()[-15:]))
        raise
    finally:
        if load:
            load.stop()
        for running in nodes:
            if running.process.poll() is None:
                try:
                    running.stop()
                except subprocess.TimeoutExpired:
                    running.process.kill()
        if nginx:
            nginx.stop()
        hook.close()
        target.close()
        postgres.remove()
