"""Fixtures that run the real `telltale` binary against a temporary data directory."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

BIN = os.environ.get("TELLTALE_BIN", ".build/debug/telltale")
DSN_LINE = re.compile(r"DSN:\s+(http://\w+@127\.0\.0\.1:\d+/\d+)")


class Site:
    """A page's own origin on 127.0.0.1 (a shop embedding Telltale's scripts): `routes` maps a
    path to (content type, body) or (status, content type, body), where the body may be a
    function called per request."""

    def __init__(self, routes):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                route = routes.get(self.path, (404, "text/plain", b"not found"))
                status, kind, body = route if len(route) == 3 else (200, *route)
                body = body() if callable(body) else body
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `telltale serve` process; output goes to a file so nothing blocks."""

    def __init__(self, workdir, env):
        self.workdir = workdir
        self.env = env
        self.port = int(env["TELLTALE_HTTP_PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log_path = os.path.join(workdir, f"server-{uuid.uuid4().hex[:6]}.log")

    def start(self, timeout=60):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([os.path.abspath(BIN), "serve"], cwd=self.workdir, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready:\n" + self.output())

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def dsn(self):
        match = DSN_LINE.search(self.output())
        return match.group(1) if match else None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        elif self.process:
            # It ended before being asked to (a crash, or a test's kill -9): pytest shows this for a failing test.
            import sys
            print(f"server {self.url} had exited with {self.process.returncode}; the end of its log:\n{self.output()[-6000:]}", file=sys.stderr)
        self.log.close()
        return self.process.returncode


def wait_until(check, timeout=30, what="condition"):
    """Polls `check` until it returns something truthy (returned), or fails after `timeout` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def cli(workdir, env, *args):
    return subprocess.run([os.path.abspath(BIN), *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def postgres_database():
    """A fresh database on the test PostgreSQL server, or a failure that says why."""
    base = os.environ.get("TELLTALE_TEST_POSTGRES_URL")
    if not base:
        pytest.fail("TELLTALE_TEST_POSTGRES_URL is not set; run scripts/test.sh, which starts PostgreSQL")
    name = "telltale_e2e_" + uuid.uuid4().hex[:8]
    parts = urlsplit(base)
    host, port = parts.hostname, str(parts.port or 5432)
    subprocess.run(["psql", "-h", host, "-p", port, "-U", parts.username, "-d", parts.path.lstrip("/"),
                    "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="telltale-e2e-") as directory:
        yield directory


@pytest.fixture
def base_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELLTALE_")}
    env["TELLTALE_HTTP_PORT"] = str(free_port())
    env["TELLTALE_LOG_LEVEL"] = "warning"
    return env


def new_secrets_key():
    """A secrets key (32 bytes, base64) for nodes of one installation that do not share a data directory."""
    import base64
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def server(workdir, base_env):
    running = Server(workdir, base_env).start()
    yield running
    running.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Lets fixtures see whether the test failed (the browser fixture saves a screenshot then)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)
