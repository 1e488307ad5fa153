"""The operator's command-line companions against a running server: `send-test-event` (its
issue seen resolved through the API after --simulate-resolution) and `selftest` against a
healthy server (local and remote, with an alert channel whose test send reaches a real
receiver) and against one whose PostgreSQL was stopped (the right checks fail with their
reasons, exit status 1)."""
import re

import requests

from conftest import Server, cli, free_port, wait_until
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
