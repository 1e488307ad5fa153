"""The foundation as a newcomer meets it: start with no configuration, restart, check, CLI."""
import json
import os
import re
import signal
import threading

import requests

from conftest import Server, cli, postgres_database


def test_zero_configuration_start_prints_dsn_and_password(workdir, base_env):
    first = Server(workdir, base_env).start()
    try:
        output = first.output()
        assert first.dsn() is not None, output
        assert re.search(r"DSN:\s+http://[0-9a-f]{32}@127\.0\.0\.1:\d+/1\b", output), output
        assert re.search(r"Password:\s+\S{20}", output), output
        assert os.path.exists(os.path.join(workdir, "telltale-data", "telltale.db"))
        assert requests.get(first.url + "/healthz").json() == {"status": "ok"}
    finally:
        assert first.stop() == 0
    second = Server(workdir, base_env).start()
    try:
        assert second.dsn() == first.dsn()
        assert "Password:" not in second.output()
    finally:
        second.stop()
    listing = cli(workdir, base_env, "user", "list")
    assert listing.returncode == 0
    assert listing.stdout.count("@") == 1, listing.stdout


def test_postgres_database_url(workdir, base_env):
    env = dict(base_env, TELLTALE_DATABASE_URL=postgres_database(), TELLTALE_ADMIN_PASSWORD="correct horse battery")
    server = Server(workdir, env).start()
    try:
        assert server.dsn() is not None
        assert "Password:" not in server.output()
        assert requests.get(server.url + "/readyz").json()["database"] is True
        assert not os.path.exists(os.path.join(workdir, "telltale-data", "telltale.db"))
    finally:
        assert server.stop() == 0
    again = Server(workdir, env).start()
    try:
        assert again.dsn() == server.dsn()
    finally:
        again.stop()


def test_check_explains_each_bad_value_and_exits_2(workdir, base_env):
    blocker = os.path.join(workdir, "a-file")
    open(blocker, "w").close()
    env = dict(base_env, TELLTALE_HTTP_PORT="70000", TELLTALE_DATABASE_URL="mysql://u:secretpw@h/db",
               TELLTALE_DATA_DIR=os.path.join(blocker, "data"))
    result = cli(workdir, env, "check")
    assert result.returncode == 2
    assert "TELLTALE_HTTP_PORT" in result.stderr and "70000" in result.stderr
    assert "TELLTALE_DATABASE_URL" in result.stderr
    assert "TELLTALE_DATA_DIR" in result.stderr
    assert "secretpw" not in result.stderr
    assert "\n" == result.stderr[-1] and result.stderr.count("\n") == 1, "one line, no stack trace"
    served = cli(workdir, env, "serve")
    assert served.returncode == 2
    good = cli(workdir, dict(base_env, TELLTALE_DATABASE_URL="postgres://u:secretpw@h/db"), "check")
    assert good.returncode == 0
    assert "secretpw" not in good.stdout and "****" in good.stdout


def test_cli_administration(workdir, base_env):
    assert cli(workdir, base_env, "migrate").returncode == 0
    created = cli(workdir, base_env, "user", "create", "--email", "dev@example.com", "--password", "password123")
    assert created.returncode == 0, created.stderr
    duplicate = cli(workdir, base_env, "user", "create", "--email", "dev@example.com", "--password", "password123")
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr
    assert cli(workdir, base_env, "org", "create", "--name", "Acme Shop", "--owner", "dev@example.com").returncode == 0
    project = cli(workdir, base_env, "project", "create", "--org", "acme-shop", "--name", "Checkout", "--platform", "python")
    assert project.returncode == 0, project.stderr
    assert re.search(r"DSN: http://[0-9a-f]{32}@127\.0\.0\.1:\d+/\d+", project.stdout)
    listing = cli(workdir, base_env, "project", "list")
    assert "checkout" in listing.stdout and "http://" in listing.stdout
    token = cli(workdir, base_env, "token", "create", "--user", "dev@example.com", "--name", "ci", "--scopes", "org:read project:read")
    assert token.returncode == 0 and "tlt_" in token.stdout
    assert cli(workdir, base_env, "token", "create", "--user", "dev@example.com", "--name", "x", "--scopes", "root").returncode != 0
    assert cli(workdir, base_env, "token", "revoke", "1").returncode == 0
    assert cli(workdir, base_env, "token", "revoke", "1").returncode != 0
    assert cli(workdir, base_env, "project", "create", "--org", "nope", "--name", "X").returncode != 0
    assert cli(workdir, base_env, "user", "create").returncode != 0
    assert cli(workdir, base_env, "user", "set-password", "--email", "dev@example.com", "--password", "short").returncode != 0


def test_sigterm_while_requests_are_in_flight_loses_nothing_committed(workdir, base_env):
    """Projects created through the API while SIGTERM arrives: every 201 is in the database after restart."""
    assert cli(workdir, base_env, "migrate").returncode == 0
    server = Server(workdir, base_env).start()
    token = cli(workdir, base_env, "token", "create", "--user", "admin@telltale.local", "--name", "load",
                "--scopes", "org:read project:write project:read")
    secret = re.search(r"(tlt_[0-9a-f]+)", token.stdout).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    committed, lock = [], threading.Lock()
    stop = threading.Event()

    def worker(n):
        session = requests.Session()
        for i in range(200):
            if stop.is_set():
                return
            slug = f"p{n}-{i}"
            try:
                response = session.post(server.url + "/api/0/organizations/default/projects/",
                                        json={"name": slug, "slug": slug}, headers=headers, timeout=10)
            except requests.RequestException:
                return
            if response.status_code == 201:
                with lock:
                    committed.append(slug)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    while len(committed) < 40:
        threading.Event().wait(0.01)
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert server.process.returncode == 0, server.output()
    restarted = Server(workdir, base_env).start()
    try:
        listed = requests.get(restarted.url + "/api/0/organizations/default/projects/", headers=headers).json()
    finally:
        restarted.stop()
    stored = {project["slug"] for project in listed}
    missing = [slug for slug in committed if slug not in stored]
    assert not missing, f"{len(missing)} acknowledged projects lost: {missing[:5]}"
    assert len(committed) >= 40


def test_project_and_org_configuration(workdir, base_env):
    assert cli(workdir, base_env, "migrate").returncode == 0
    server = Server(workdir, base_env).start()
    server.stop()
    configured = cli(workdir, base_env, "project", "configure", "--org", "default", "--project", "default",
                     "--sample-rate", "0.5", "--ip-addresses", "hash", "--hash-user-ids", "true", "--key-rate-limit", "120")
    assert configured.returncode == 0, configured.stderr
    settings = json.loads(configured.stdout)
    assert settings["sampleRate"] == 0.5 and settings["scrubbing"]["ipAddresses"] == "hash"
    assert cli(workdir, base_env, "project", "configure", "--org", "default", "--project", "default", "--sample-rate", "2").returncode != 0
    assert cli(workdir, base_env, "org", "configure", "--org", "default", "--rate-limit", "600").returncode == 0
    assert cli(workdir, base_env, "org", "configure", "--org", "default", "--rate-limit", "lots").returncode != 0
