"""The operator's command-line companions against a running server: `setup` unattended (and
the Python snippet it writes, run for real) and interactive in a pseudo-terminal;
`send-test-event` (its
issue seen resolved through the API after --simulate-resolution) and `selftest` against a
healthy server (local and remote, with an alert channel whose test send reaches a real
receiver) and against one whose PostgreSQL was stopped (the right checks fail with their
reasons, exit status 1)."""
import json
import os
import re
import subprocess
import sys
import textwrap
import time

import pexpect
import pyte
import requests

from conftest import BIN, Server, cli, wait_until
from test_alerting import Webhook
from test_failover import Postgres


def admin_token(workdir, env):
    created = cli(workdir, env, "token", "create", "--user", "admin@telltale.local", "--name", "companions",
                  "--scopes", "org:admin project:admin event:admin member:admin")
    assert created.returncode == 0, created.stderr
    return re.search(r"Secret \(shown only now\): (\S+)", created.stdout).group(1)


def checks(output):
    """CHECK -> (result, detail) from the self-test's table."""
    rows = {}
    for line in output.splitlines()[1:]:
        match = re.match(r"^(.+?)\s{2,}(pass|FAIL)\s{2,}(.*)$", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_send_test_event_and_selftest_on_a_healthy_server(server, workdir, base_env):
    token = admin_token(workdir, base_env)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token

    # Local server (no --url): the command finds it from the configuration and mints its own token.
    sent = cli(workdir, base_env, "send-test-event", "--severity", "high", "--category", "payment", "--simulate-resolution", "1")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    issue_url = re.search(r"Issue: (http://\S+/organizations/default/issues/(\d+)/)", sent.stdout)
    assert issue_url, sent.stdout
    assert "resolved after" in sent.stdout, sent.stdout
    issue = api.get(f"{server.url}/api/0/issues/{issue_url.group(2)}/", timeout=10).json()
    assert issue["status"] == "resolved" and issue["severity"] == "high" and issue["category"] == "payment", issue
    assert "PaymentGatewayTimeout" in issue["title"]
    # The token minted for the command is revoked once it ends.
    tokens = cli(workdir, base_env, "token", "list").stdout
    assert "revoked after the command" in tokens and all("live" not in line for line in tokens.splitlines() if "telltale CLI" in line), tokens

    # A refused request says why and exits 1.
    refused = cli(workdir, base_env, "send-test-event", "--severity", "urgent")
    assert refused.returncode == 1 and "severity must be one of" in refused.stderr, refused.stderr

    # An alert channel: the self-test's test send reaches the receiver.
    hook = Webhook("whsec-selftest")
    try:
        created = api.post(f"{server.url}/api/0/organizations/default/channels/", timeout=10,
                           json={"type": "webhook", "name": "Ops webhook", "config": {"url": hook.url(), "secret": "whsec-selftest"}})
        assert created.status_code == 201, created.text

        local = cli(workdir, base_env, "selftest")
        assert local.returncode == 0, local.stdout + local.stderr
        rows = checks(local.stdout)
        for name in ["server answers", "ready", "database and migrations", "REST API", "dashboard", "ingest (gzip)", "ingest (brotli)",
                     "search", "grouping", "scrubbing", "live stream", "alert channel Ops webhook"]:
            assert rows.get(name, ("missing",))[0] == "pass", f"{name}: {rows.get(name)}\n{local.stdout}"
        assert "planted password stored as [Filtered]" in rows["scrubbing"][1]
        assert re.search(r"All \d+ checks passed", local.stdout)
        hook.wait(1)

        # Remote: --url and --token (here the same server), and the environment variables.
        remote = cli(workdir, base_env, "selftest", "--url", server.url, "--token", token)
        assert remote.returncode == 0, remote.stdout + remote.stderr
        by_env = cli(workdir, dict(base_env, TELLTALE_URL=server.url, TELLTALE_TOKEN=token), "send-test-event")
        assert by_env.returncode == 0 and "Issue: " in by_env.stdout, by_env.stdout + by_env.stderr
        missing = cli(workdir, base_env, "selftest", "--url", server.url)
        assert missing.returncode == 2 and "needs an API token" in missing.stderr, missing.stderr
        wrong = cli(workdir, base_env, "selftest", "--url", server.url, "--token", "tlt_wrong")
        assert wrong.returncode == 1 and checks(wrong.stdout)["REST API"][0] == "FAIL", wrong.stdout
    finally:
        hook.close()


def test_selftest_names_a_stopped_database(workdir, base_env):
    postgres = Postgres()
    postgres.start()
    env = dict(base_env, TELLTALE_DATABASE_URL=postgres.url())
    server = Server(workdir, env).start()
    try:
        token = admin_token(workdir, env)
        healthy = cli(workdir, env, "selftest", "--url", server.url, "--token", token)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr

        postgres.stop()
        # With the database away, /readyz answers after the pool's connection wait (5 s by default).
        wait_until(lambda: requests.get(server.url + "/readyz", timeout=20).status_code == 503, timeout=60, what="/readyz to notice")
        broken = cli(workdir, env, "selftest", "--url", server.url, "--token", token)
        assert broken.returncode == 1, broken.stdout + broken.stderr
        rows = checks(broken.stdout)
        assert rows["server answers"][0] == "pass"
        assert rows["ready"][0] == "FAIL" and "503" in rows["ready"][1], rows
        assert rows["database and migrations"][0] == "FAIL" and rows["database and migrations"][1].startswith("database unreachable"), rows
        assert rows["REST API"][0] == "FAIL", rows
        assert re.search(r"\d+ of \d+ checks failed", broken.stdout)
    finally:
        server.stop()
        postgres.remove()


def paste_and_run(snippet_path, body):
    """The operator's Python app: the snippet setup wrote, pasted at the top, then the app's code."""
    with open(snippet_path) as f:
        snippet = f.read()
    program = snippet + textwrap.dedent(body) + "\nsentry_sdk.flush(timeout=10)\n"
    path = snippet_path + ".app.py"
    with open(path, "w") as f:
        f.write(program)
    result = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_setup_unattended_then_the_snippet_reports_an_error(server, workdir, base_env):
    token = admin_token(workdir, base_env)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token
    snippet = os.path.join(workdir, "sentry_setup.py")
    done = cli(workdir, base_env, "setup", "--yes", "--org", "acme", "--org-name", "Acme", "--project", "shop", "--platform", "python",
               "--environment", "production", "--release", "shop@2.1.0", "--snippet-file", snippet,
               "--smtp-url", "smtp://mail.example.com:587", "--smtp-from", "Ops <ops@example.com>",
               "--channel", "webhook", "--channel-target", "http://127.0.0.1:9/hook")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Created organization acme." in done.stdout and "Created project acme/shop." in done.stdout
    dsn = re.search(r"DSN: (http://\S+)", done.stdout).group(1)
    assert re.search(r"Stored\. Its issue: http://\S+/organizations/acme/issues/\d+/", done.stdout), done.stdout
    # The production recommendation: every error, 5 % of traces, no personal data.
    with open(snippet) as f:
        text = f.read()
    assert f'dsn="{dsn}"' in text and 'environment="production"' in text and 'release="shop@2.1.0"' in text
    assert "sample_rate=1.0" in text and "traces_sample_rate=0.05" in text and "send_default_pii=False" in text
    # SMTP went to the configuration file the server reads with --config, readable by its owner only.
    config = os.path.join(workdir, "telltale.json")
    assert json.load(open(config))["smtp"] == {"url": "smtp://mail.example.com:587", "from": "Ops <ops@example.com>"}
    assert os.stat(config).st_mode & 0o077 == 0
    channels = api.get(f"{server.url}/api/0/organizations/acme/channels/", timeout=10).json()
    assert [c["type"] for c in channels] == ["webhook"], channels

    # The operator pastes the snippet into a Python app; its error arrives in acme/shop.
    paste_and_run(snippet, """
        def checkout(cart):
            return cart["total"] / cart["items"]
        try:
            checkout({"total": 10, "items": 0})
        except ZeroDivisionError:
            sentry_sdk.capture_exception()
    """)
    issues = wait_until(lambda: [i for i in api.get(f"{server.url}/api/0/projects/acme/shop/issues/", timeout=10).json()
                                 if "ZeroDivisionError" in i["title"]], what="the app's error in acme/shop")
    assert issues[0]["project"]["slug"] == "shop"

    # Running it again picks what exists instead of creating it twice.
    again = cli(workdir, base_env, "setup", "--yes", "--org", "acme", "--project", "shop", "--platform", "go", "--environment", "staging",
                "--snippet-file", os.path.join(workdir, "main.go"), "--no-test-event")
    assert again.returncode == 0 and "Created" not in again.stdout, again.stdout + again.stderr
    assert "TracesSampleRate: 0.1," in open(os.path.join(workdir, "main.go")).read()
    bad = cli(workdir, base_env, "setup", "--yes", "--platform", "cobol")
    assert bad.returncode != 0 and "platform must be one of" in bad.stderr, bad.stderr


def test_setup_interactive_in_a_terminal(server, workdir, base_env):
    child = pexpect.spawn(os.path.abspath(BIN), ["setup", "--snippet-file", "node-snippet.js"], cwd=workdir, env=base_env,
                          encoding="utf-8", timeout=30, dimensions=(24, 80))
    try:
        child.expect(r"Organization \(existing: default\) \[default\]: ")
        child.sendline("")
        child.expect(r"Choose a number or name \[python\]: ")
        child.sendline("9")  # out of range: asked again
        child.expect("Please answer with a number from 1 to 7")
        child.sendline("node")
        child.expect(r"Project \(existing: default\) \[default\]: ")
        child.sendline("api")
        child.expect(r"Name of the new project \[Api\]: ")
        child.sendline("Public API")
        child.expect(r"Environment \(development, staging, production\) \[production\]: ")
        child.sendline("development")
        child.expect(r"Release \[api@1.0.0\]: ")
        child.sendline("api@0.9.0")
        child.expect(r"Error sample rate, 0 to 1 \[1.0\]: ")
        child.sendline("2")
        child.expect("Please answer with a number from 0 to 1")
        child.sendline("")
        child.expect(r"Traces sample rate, 0 to 1 \[1.0\]: ")  # development: everything traced
        child.sendline("0.5")
        child.expect(r"Send personal data \(send_default_pii\)\? \[Y/n\]: ")
        child.sendline("n")
        child.expect(r"SMTP server for alert emails \(empty: skip\) \[\]: ")
        child.sendline("")
        child.expect(r"Choose a number or name \[none\]: ")
        child.sendline("4")
        child.expect(r"Stored\. Its issue: (http://\S+)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    with open(os.path.join(workdir, "node-snippet.js")) as f:
        text = f.read()
    assert 'import * as Sentry from "@sentry/node";' in text
    assert 'environment: "development"' in text and 'release: "api@0.9.0"' in text
    assert "sampleRate: 1.0," in text and "tracesSampleRate: 0.5," in text and "sendDefaultPii: false," in text
    token = admin_token(workdir, base_env)
    projects = requests.get(f"{server.url}/api/0/organizations/default/projects/", timeout=10,
                            headers={"Authorization": "Bearer " + token}).json()
    assert {"slug": "api", "name": "Public API"}.items() <= next(p for p in projects if p["slug"] == "api").items()


class TerminalScreen:
    """`telltale` in a pseudo-terminal of a fixed size, its output rendered by a terminal
    emulator (pyte), so the test reads the screen a person would see."""

    def __init__(self, workdir, env, args, rows, cols):
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(os.path.abspath(BIN), args, cwd=workdir, env=env, dimensions=(rows, cols), timeout=30)

    def text(self):
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait(self, check, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                pass
            if check(self.text()):
                return self.text()
        raise AssertionError(f"timed out waiting for {what}; the screen:\n{self.text()}")

    def close(self):
        self.child.close(force=True)


def test_status_watch_shows_what_the_api_returns_and_acts_on_keys(server, workdir, base_env):
    token = admin_token(workdir, base_env)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token
    base = server.url + "/api/0/"
    down = api.post(base + "organizations/default/monitors/", timeout=10, json={
        "name": "Closed port", "type": "http", "url": "http://127.0.0.1:9/", "interval_seconds": 1, "failure_threshold": 1}).json()
    beat = api.post(base + "organizations/default/monitors/", timeout=10, json={"name": "Nightly backup", "type": "heartbeat", "interval_seconds": 3600}).json()
    requests.get(beat["ping_url"], timeout=5)
    incident = api.post(base + "organizations/default/incidents/", timeout=10, json={"title": "Checkout is failing", "severity": "critical"})
    assert incident.status_code == 201, incident.text
    incident = incident.json()
    for kind in ["ValueError", "KeyError"]:
        sent = api.post(base + "projects/default/default/errors/", timeout=10, json={"error_type": kind, "message": f"{kind} in checkout"})
        assert sent.status_code == 200, sent.text
    assert api.post(base + "projects/default/default/test-event/", json={}, timeout=10).status_code == 201
    wait_until(lambda: sorted(m["status"] for m in api.get(base + "organizations/default/monitors/", timeout=10).json()) == ["down", "up"],
               what="one monitor down and one up")

    issues = api.get(base + "projects/default/default/issues/", params={"query": "is:unresolved age:-24h", "sort": "new"}, timeout=10).json()
    assert len(issues) == 3
    now = int(time.time())
    stats = api.get(base + "organizations/default/stats/", params={"since": now - 29 * 60, "until": now + 1, "interval": "1m"}, timeout=10).json()
    events = int(sum(point[1] for point in stats["events"]["total"]))
    assert events == 3

    view = TerminalScreen(workdir, base_env, ["status", "--watch", "--interval", "1"], 24, 80)
    try:
        text = view.wait(lambda t: "Monitors: 1 down · 1 up" in t and "CPU" in t and "q quit" in t, "the first refresh with rates")
        lines = text.split("\n")
        assert lines[0].startswith("Telltale · default · http://127.0.0.1:") and lines[0].rstrip().endswith("UTC") and "ready" in lines[0]
        assert f"· 30 min {events}" in lines[1] or f"· 31 min {events}" in lines[1], lines[1]
        assert re.match(r"Server: queue 0 · (ingest [\d.]+ ms · )?memory \d+ MB · CPU \d+ %", lines[2]), lines[2]
        for issue in issues:
            shown = f"#{issue['id']} default  {issue['title']}"[:60]
            assert shown in text, f"{shown!r} not on the screen:\n{text}"
        assert f"#{incident['id']} [critical] triggered  Checkout is failing" in text
        assert all(len(line) <= 80 for line in lines) and len(lines) == 24
        assert lines[-1].startswith("q quit")

        # Three issues, then the incident: a acknowledges it.
        view.child.send("jjj")
        view.child.send("a")
        view.wait(lambda t: f"Incident #{incident['id']} acknowledged" in t, "the acknowledgement")
        assert api.get(base + f"incidents/{incident['id']}/", timeout=10).json()["status"] == "acknowledged"
        # The next row is the monitor that is down (listed first): p pauses it.
        view.child.send("j")
        view.child.send("p")
        view.wait(lambda t: "Monitor Closed port paused" in t, "the pause")
        assert api.get(base + f"monitors/{down['id']}/", timeout=10).json()["status"] == "paused"
        view.wait(lambda t: "Monitors: 1 up · 1 paused" in t, "the paused monitor counted")
        # o on an issue shows its address to open.
        view.child.send("kkkk")
        view.child.send("o")
        view.wait(lambda t: f"Open: {issues[0]['permalink']}" in t, "the issue's address")
        view.child.send("q")
        view.child.expect(pexpect.EOF)
        view.child.close()
        assert view.child.exitstatus == 0
    finally:
        view.close()

    # A wide terminal shows whole titles and the header's right side at the last column; it
    # refreshes every 10 minutes here, so the error sent next can only appear by the server's push.
    wide = TerminalScreen(workdir, base_env, ["status", "--watch", "--interval", "600"], 50, 200)
    try:
        text = wide.wait(lambda t: "Monitors: 1 up · 1 paused" in t and "q quit" in t, "the wide screen")
        lines = text.split("\n")
        assert len(lines) == 50 and len(lines[0]) == 200 and lines[0].endswith("UTC")
        for issue in issues:
            assert f"#{issue['id']} default  {issue['title']}  ×{issue['count']}" in text
        sent = api.post(base + "projects/default/default/errors/", timeout=10, json={"error_type": "TimeoutError", "message": "payment gateway timed out"})
        assert sent.status_code == 200, sent.text
        wide.wait(lambda t: "TimeoutError: payment gateway timed out" in t and "· 30 min 4" in t, "the new error pushed to the open view", timeout=15)
        # Ctrl-C quits too, and leaves the terminal as it was (the main screen, the cursor shown).
        wide.child.sendcontrol("c")
        wide.child.expect(pexpect.EOF)
        wide.stream.feed(wide.child.before or b"")
        wide.child.close()
        assert wide.child.exitstatus == 0 and not wide.screen.cursor.hidden
    finally:
        wide.close()

    # Not a terminal: plain snapshots, no escape codes.
    plain = cli(workdir, base_env, "status")
    assert plain.returncode == 0, plain.stderr
    assert "\x1b" not in plain.stdout and "Monitors: 1 up · 1 paused" in plain.stdout
    assert f"#{incident['id']} [critical] acknowledged  Checkout is failing" in plain.stdout
