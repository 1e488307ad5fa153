"""Health and uptime end to end: an operator adds an HTTP monitor and a heartbeat in the
dashboard, the watched server stops and starts again, and the monitor page and the public
status page show the exact downtime; on SQLite and on PostgreSQL. Also Sentry cron
check-ins from the real SDK, and the health pages in axe-core."""
import http.server
import os
import re
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import Server, free_port, new_secrets_key, postgres_database
from test_accessibility import PAGES_DIR, check
from test_dashboard import PASSWORD, browser, run_app, sign_in  # noqa: F401 (fixtures)


class Watched:
    """The service being watched: an HTTP server on 127.0.0.1 the test stops and starts."""

    def __init__(self):
        self.port = free_port()
        self.httpd = None

    def start(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'{"status":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(params=["sqlite", "postgres"])
def telltale(request, workdir, base_env):
    env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)
    if request.param == "postgres":
        env["TELLTALE_DATABASE_URL"] = postgres_database()
    server = Server(workdir, env).start()
    yield server
    server.stop()


def wait_for_state(page, state, timeout=20):
    """Reloads the monitor page until it shows `state` (the page is server-rendered)."""
    deadline = time.time() + timeout
    while page.locator("#monitor-state").inner_text().strip() != state:
        assert time.time() < deadline, f"monitor never became {state}"
        time.sleep(0.3)
        page.reload()


def monitor_id(page):
    return re.search(r"/monitors/(\d+)/", page.url).group(1)


def test_operator_watches_a_service_go_down_and_recover(browser, telltale):  # noqa: F811
    watched = Watched()
    watched.start()
    context = browser.new_context(base_url=telltale.url, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page)
    page.get_by_role("link", name="Health").click()
    expect(page.get_by_role("heading", name="No monitors here")).to_be_visible()

    # An HTTP monitor, from the dashboard form.
    page.get_by_role("link", name="Add monitor").click()
    page.get_by_label("Name", exact=True).fill("Shop API")
    page.get_by_label("Component on status pages").fill("API")
    page.get_by_label("URL").fill(f"http://127.0.0.1:{watched.port}/health")
    page.get_by_label("JSON path").fill("$.status")
    page.get_by_label("JSON value expected").fill("ok")
    page.get_by_label("Interval (seconds)").fill("1")
    page.get_by_label("Timeout (seconds)").fill("1")
    page.get_by_label("Failures before down").fill("2")
    page.get_by_label("Successes before up again").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Shop API")).to_be_visible()
    http_id = monitor_id(page)
    http_url = page.url
    wait_for_state(page, "up")

    # A heartbeat, pinged like a cron job would.
    page.goto("/organizations/default/monitors/new?type=heartbeat")
    page.get_by_label("Name", exact=True).fill("Nightly backup")
    page.get_by_label("Interval (seconds)").fill("3600")
    page.get_by_role("button", name="Save").click()
    ping_url = page.locator("#ping-url").inner_text()
    beat_url = page.url
    assert requests.get(ping_url + "/start?rid=r1", timeout=5).status_code == 200
    assert requests.post(ping_url + "?rid=r1", data="backed up 42 files", timeout=5).status_code == 200
    wait_for_state(page, "up")
    expect(page.get_by_text("backed up 42 files")).to_be_visible()

    # A public status page with both.
    page.goto("/organizations/default/status-pages/")
    page.get_by_label("Address").fill("shop")
    page.get_by_label("Title", exact=True).first.fill("Shop status")
    for box in page.locator('input[name="monitor"]').all()[:2]:
        box.check()
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_role("heading", name="Edit Shop status")).to_be_visible()

    # A maintenance window, added, then edited from the dashboard with its settings filled in.
    # On a day three days away, so the window is never in progress while the test runs (a
    # fixed day failed every Saturday night: the public page then says "Maintenance in progress").
    day = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%a")
    window = page.locator('form[aria-labelledby="window-form"]')
    window.get_by_label("Title").fill("Database upgrade")
    window.get_by_label("Kind").select_option("weekly")
    window.get_by_label(day, exact=True).check()
    window.get_by_label("Start time (weekly)").fill("02:00")
    window.get_by_label("Duration (minutes, weekly)").fill("30")
    window.get_by_label("Nightly backup").check()
    window.get_by_role("button", name="Add window").click()
    item = page.locator("ul.mini li", has_text="Database upgrade")
    expect(item).to_contain_text(f"every {day} at 02:00")
    item.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Database upgrade")).to_be_visible()
    window = page.locator('form[aria-labelledby="window-form"]')
    expect(window.get_by_label(day, exact=True)).to_be_checked()
    expect(window.get_by_label("Nightly backup")).to_be_checked()
    expect(window.get_by_label("Start time (weekly)")).to_have_value("02:00")
    window.get_by_label("Duration (minutes, weekly)").fill("45")
    window.get_by_role("button", name="Save window").click()
    expect(page.locator("ul.mini li", has_text="Database upgrade")).to_contain_text("45")

    # The watched service stops: down after two failures (the grid changes live, without a
    # reload); it starts: up after two successes.
    page.goto("/organizations/default/health/")
    expect(page.locator("#live .label")).to_have_text("live")
    watched.stop()
    stopped = time.time()
    expect(page.locator(f'tr[data-monitor-id="{http_id}"] .state')).to_have_text("down", timeout=20_000)
    deadline = time.time() + 20
    while requests.get(telltale.url + "/status/shop.json", timeout=5).json()["components"][0]["status"] != "major":
        assert time.time() < deadline, "never went down"
        time.sleep(0.3)
    time.sleep(2)
    watched.start()
    deadline = time.time() + 20
    while requests.get(telltale.url + "/status/shop.json", timeout=5).json()["components"][0]["status"] != "operational":
        assert time.time() < deadline, "never recovered"
        time.sleep(0.3)
    recovered = time.time()

    page.goto(http_url)
    wait_for_state(page, "up")
    rows = page.locator("#down-title ~ table tbody tr")
    expect(rows).to_have_count(1)
    # The first failure says what the stopped server did: refused, reset or closed the connection.
    expect(rows.first).to_contain_text("connection")
    # The downtime is exact: from the first failure to the first success after it.
    session = requests.Session()
    token = telltale_token(telltale)
    session.headers["Authorization"] = "Bearer " + token
    downtime = session.get(f"{telltale.url}/api/0/monitors/{http_id}/downtimes/", timeout=5).json()[0]
    assert downtime["end"] is not None
    assert 1.5 <= downtime["duration_seconds"] <= recovered - stopped + 1, downtime
    uptime = session.get(f"{telltale.url}/api/0/monitors/{http_id}/uptime/?days=1", timeout=5).json()
    assert uptime["downtime_seconds"] == pytest.approx(downtime["duration_seconds"], abs=0.01)
    assert 0 < uptime["uptime_percent"] < 100
    expect(page.get_by_text("Uptime, 24 hours")).to_be_visible()

    # The public page: no sign-in, no URL, no error text, the outage in today's bar.
    anonymous = browser.new_context(base_url=telltale.url, viewport={"width": 360, "height": 800})
    public = anonymous.new_page()
    time.sleep(5)  # the public page is cached for 5 s
    public.goto("/status/shop")
    expect(public.get_by_role("heading", name="Shop status")).to_be_visible()
    expect(public.get_by_text("All systems operational")).to_be_visible()
    content = public.content()
    assert f"127.0.0.1:{watched.port}" not in content and "refused" not in content
    assert "ub-major" in content or "ub-partial" in content or "ub-minor" in content
    os.makedirs(PAGES_DIR, exist_ok=True)
    public.screenshot(path=os.path.join(PAGES_DIR, f"status-page-{telltale.env.get('TELLTALE_DATABASE_URL') and 'postgres' or 'sqlite'}-360.png"), full_page=True)
    public.set_viewport_size({"width": 1440, "height": 900})
    public.screenshot(path=os.path.join(PAGES_DIR, f"status-page-{telltale.env.get('TELLTALE_DATABASE_URL') and 'postgres' or 'sqlite'}-1440.png"), full_page=True)
    anonymous.close()

    page.goto(beat_url)
    wait_for_state(page, "up")
    context.close()
    watched.stop()


def telltale_token(telltale):
    from conftest import cli
    result = cli(telltale.workdir, telltale.env, "token", "create", "--user", "admin@telltale.local", "--name", "e2e", "--scopes", "project:write event:write")
    return re.search(r"Secret \(shown only now\): (\S+)", result.stdout).group(1)


def test_sentry_cron_check_ins_open_and_resolve_an_issue(telltale):
    run_app(telltale.dsn(), """
        from sentry_sdk.crons import capture_checkin
        from sentry_sdk.crons.consts import MonitorStatus
        config = {"schedule": {"type": "crontab", "value": "0 3 * * *"}, "checkin_margin": 5, "max_runtime": 30,
                  "timezone": "Europe/Vienna", "failure_issue_threshold": 1, "recovery_threshold": 1}
        run = capture_checkin(monitor_slug="nightly-report", status=MonitorStatus.IN_PROGRESS, monitor_config=config)
        capture_checkin(monitor_slug="nightly-report", check_in_id=run, status=MonitorStatus.ERROR, duration=2.0)
    """)
    token = telltale_token(telltale)
    headers = {"Authorization": "Bearer " + token}
    deadline = time.time() + 15
    while True:
        monitors = requests.get(telltale.url + "/api/0/organizations/default/monitors/", headers=headers, timeout=5).json()
        issues = requests.get(telltale.url + "/api/0/projects/default/default/issues/?query=is:unresolved", headers=headers, timeout=5).json()
        if monitors and monitors[0]["status"] == "down" and issues:
            break
        assert time.time() < deadline, (monitors, issues)
        time.sleep(0.3)
    cron = monitors[0]
    assert cron["type"] == "cron" and cron["slug"] == "nightly-report"
    assert cron["schedule"] == "0 3 * * *" and cron["timezone"] == "Europe/Vienna" and cron["grace_seconds"] == 300
    assert issues[0]["title"] == "Cron monitor 'nightly-report' failed"
    # Sentry's HTTP check-in URL, as a shell script without an SDK would call it.
    key = telltale.dsn().split("//")[1].split("@")[0]
    assert requests.get(f"{telltale.url}/api/1/cron/nightly-report/{key}/?status=ok", timeout=5).status_code == 202
    assert requests.get(f"{telltale.url}/api/1/cron/nightly-report/not-a-key/?status=ok", timeout=5).status_code == 401
    deadline = time.time() + 15
    while requests.get(telltale.url + "/api/0/projects/default/default/issues/?query=is:unresolved", headers=headers, timeout=5).json():
        assert time.time() < deadline, "the issue was not resolved"
        time.sleep(0.3)
    assert requests.get(f"{telltale.url}/api/0/monitors/{cron['id']}/", headers=headers, timeout=5).json()["status"] == "up"


@pytest.fixture
def telltale_sqlite(workdir, base_env):
    server = Server(workdir, dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)).start()
    yield server
    server.stop()


def test_health_pages_pass_axe_in_both_themes(browser, telltale_sqlite):  # noqa: F811
    telltale = telltale_sqlite
    token = telltale_token(telltale)
    headers = {"Authorization": "Bearer " + token}
    api = telltale.url + "/api/0/organizations/default/"
    http_monitor = requests.post(api + "monitors/", headers=headers, timeout=5, json={
        "name": "Closed port", "type": "http", "url": "http://127.0.0.1:9/", "interval_seconds": 1, "component": "Website"}).json()
    beat = requests.post(api + "monitors/", headers=headers, timeout=5, json={"name": "Backup", "type": "heartbeat", "interval_seconds": 60}).json()
    requests.get(beat["ping_url"], timeout=5)
    page_id = requests.post(api + "status-pages/", headers=headers, timeout=5,
                            json={"slug": "acme", "title": "Acme", "monitors": [http_monitor["id"], beat["id"]]}).json()["id"]
    requests.post(f"{telltale.url}/api/0/status-pages/{page_id}/notices/", headers=headers, timeout=5,
                  json={"title": "Website down", "body": "We are on it", "severity": "major"})
    time.sleep(3)
    pages = [("health", "/organizations/default/health/"), ("monitor", f"/organizations/default/monitors/{http_monitor['id']}/"),
             ("heartbeat", f"/organizations/default/monitors/{beat['id']}/"), ("monitor-new", "/organizations/default/monitors/new"),
             ("monitor-edit", f"/organizations/default/monitors/{http_monitor['id']}/edit"),
             ("status-pages", "/organizations/default/status-pages/"), ("status-page-edit", f"/organizations/default/status-pages/{page_id}/")]
    os.makedirs(PAGES_DIR, exist_ok=True)
    axe = Axe()
    failures = []
    for scheme in ("light", "dark"):
        context = browser.new_context(base_url=telltale.url, color_scheme=scheme, bypass_csp=True)
        tab = context.new_page()
        sign_in(tab)
        for name, path in pages:
            tab.goto(path)
            check(tab, name, scheme, axe, failures)
        public = browser.new_context(base_url=telltale.url, color_scheme=scheme, bypass_csp=True).new_page()
        public.goto("/status/acme")
        check(public, "status-page", scheme, axe, failures)
        context.close()
    assert not failures, "\n".join(failures)


def test_monitors_from_the_command_line(telltale_sqlite):
    from conftest import cli
    server = telltale_sqlite
    created = cli(server.workdir, server.env, "monitor", "create", "--type", "http", "--name", "Shop API", "--url", "http://127.0.0.1:9/",
                  "--header", "Authorization: Bearer cli-secret", "--interval", "30", "--failure-threshold", "3")
    assert created.returncode == 0, created.stderr
    monitor = re.search(r"monitor (\d+)", created.stdout).group(1)
    beat = cli(server.workdir, server.env, "monitor", "create", "--type", "heartbeat", "--name", "Backup", "--schedule", "0 3 * * *",
               "--timezone", "Europe/Berlin", "--grace-seconds", "600")
    ping_url = re.search(r"Ping URL: (\S+)", beat.stdout).group(1)
    assert requests.get(ping_url, timeout=5).status_code == 200
    listed = cli(server.workdir, server.env, "monitor", "list")
    assert "Shop API" in listed.stdout and "Backup" in listed.stdout and "cli-secret" not in listed.stdout
    assert "is paused" in cli(server.workdir, server.env, "monitor", "pause", monitor).stdout
    assert "is pending" in cli(server.workdir, server.env, "monitor", "resume", monitor).stdout
    bad = cli(server.workdir, server.env, "monitor", "create", "--type", "heartbeat", "--name", "x", "--schedule", "61 * * * *")
    assert bad.returncode != 0 and "schedule" in bad.stderr
    assert cli(server.workdir, server.env, "monitor", "delete", monitor).returncode == 0
    assert cli(server.workdir, server.env, "monitor", "delete", monitor).returncode == 1


def test_postgres_monitor_runs_read_only_queries_against_the_real_server(telltale_sqlite):
    server = telltale_sqlite
    database = postgres_database()
    # The test server trusts local connections, so the password is only there to be hidden.
    with_password = database.replace("://telltale@", "://telltale:pg-s3cret@")
    headers = {"Authorization": "Bearer " + telltale_token(server)}
    api = server.url + "/api/0/organizations/default/"

    def create(name, connection, query=None):
        body = {"name": name, "type": "postgres", "connection_string": connection, "interval_seconds": 86400, "timeout_seconds": 5}
        if query:
            body["query"] = query
        response = requests.post(api + "monitors/", headers=headers, timeout=10, json=body)
        assert response.status_code == 201, response.text
        assert "pg-s3cret" not in response.text
        return response.json()["id"]

    ids = {
        "ok": create("Orders DB", with_password),
        "write": create("Write attempt", with_password, "CREATE TABLE should_not_exist (id int)"),
        "missing": create("Missing DB", with_password.rsplit("/", 1)[0] + "/no_such_database?sslmode=disable"),
    }
    run = requests.post(api + "health/run", headers=headers, timeout=30, json={"monitors": list(ids.values())})
    assert run.status_code == 200, run.text
    results = {entry["monitor"]: entry["result"] for entry in run.json()}
    assert results[ids["ok"]]["status"] == "up", results
    assert results[ids["write"]]["status"] == "down" and "read-only" in results[ids["write"]]["message"], results
    assert results[ids["missing"]]["status"] == "down" and "no_such_database" in results[ids["missing"]]["message"], results
    assert "pg-s3cret" not in run.text
    shown = requests.get(f"{server.url}/api/0/monitors/{ids['ok']}/", headers=headers, timeout=10).json()
    assert "pg-s3cret" not in shown["connection_string"] and shown["query"] == "SELECT 1"


def test_two_nodes_on_one_postgres_run_each_check_exactly_once(workdir, base_env):
    """Two `telltale serve` processes on one PostgreSQL database: the monitors' checks are
    shared between them (both run some), and no check runs on both (the watched service sees
    exactly one request per recorded result)."""
    hits = {}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with lock:
                hits[self.path] = hits.get(self.path, 0) + 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    watched = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=watched.serve_forever, daemon=True).start()
    database = postgres_database()
    secrets_key = new_secrets_key()  # one installation: every node seals with the same key
    nodes = []
    try:
        for name in ("a", "b"):
            directory = os.path.join(workdir, name)
            os.makedirs(directory)
            env = dict(base_env, TELLTALE_HTTP_PORT=str(free_port()), TELLTALE_DATABASE_URL=database, TELLTALE_ADMIN_PASSWORD=PASSWORD,
                       TELLTALE_SECRETS_KEY=secrets_key)
            nodes.append(Server(directory, env).start())
        headers = {"Authorization": "Bearer " + telltale_token(nodes[0])}
        ids = []
        for i in range(40):
            url = f"http://127.0.0.1:{watched.server_address[1]}/m/{i}"
            response = requests.post(nodes[i % 2].url + "/api/0/organizations/default/monitors/", headers=headers, timeout=10,
                                     json={"name": f"svc-{i}", "type": "http", "url": url, "interval_seconds": 1, "timeout_seconds": 2})
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        time.sleep(8)
        # Checks each node ran, from its own metrics (the check-lag timer counts every check).
        ran = [sum(int(float(value)) for value in re.findall(r"^telltale_monitor_check_lag\S*_count\S* (\S+)$", requests.get(node.url + "/metrics", timeout=10).text, re.M))
               for node in nodes]
        assert all(count > 0 for count in ran), f"checks per node: {ran}"
        for monitor in ids:
            assert requests.post(nodes[0].url + f"/api/0/monitors/{monitor}/pause", headers=headers, timeout=10).status_code == 200
        time.sleep(3)  # checks already running finish (timeout 2 s) and are recorded
        total = 0
        for i, monitor in enumerate(ids):
            response = requests.get(nodes[1].url + f"/api/0/monitors/{monitor}/results/?limit=1000", headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            recorded, seen = len(response.json()), hits.get(f"/m/{i}", 0)
            assert recorded == seen, f"monitor {i}: the service saw {seen} requests, {recorded} results are stored"
            assert 5 <= recorded <= 13, f"monitor {i}: {recorded} checks in about 9 s at a 1 s interval"
            total += recorded
        assert sum(ran) <= total, f"the nodes ran {ran} checks, {total} are stored"
    finally:
        for node in nodes:
            node.stop()
        watched.shutdown()
