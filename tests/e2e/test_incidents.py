"""Incidents end to end with the real binary, on SQLite and PostgreSQL: a watched server goes
down, a rule opens an incident, step 1 notifies the on-call person (from the schedule) on
their own webhook contact method, nobody
acknowledges, step 2 notifies the next one and starts a runbook that calls the server's
recovery URL, the monitor recovers and the incident resolves itself; the report shows no
time to acknowledge and an auto-resolution rate of 100 %. A second run is acknowledged
through the signed link in the first notification, so escalation stops at step 1. Then the
incident pages in a real Chromium, with axe."""
import http.server
import json
import os
import threading
import time

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import Server, cli, free_port, postgres_database, wait_until
from test_accessibility import PAGES_DIR, check
from test_dashboard import PASSWORD, browser, sign_in  # noqa: F401 (fixtures)
from test_health import telltale_token


class Service:
    """The watched service and the people's webhooks: `/health` answers 200 while healthy,
    `POST /recover` makes it healthy, `POST /hooks/<name>` records a notification."""

    def __init__(self):
        self.port = free_port()
        self.healthy = True
        self.hooks = []
        self.recoveries = 0
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status = 200 if service.healthy else 503
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"no")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/recover":
                    service.recoveries += 1
                    service.healthy = True
                elif self.path.startswith("/hooks/"):
                    service.hooks.append((self.path[len("/hooks/"):], json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, name):
        return [body for hook, body in self.hooks if hook == name]

    def incident_messages(self, name):
        """Escalation messages only: a person's contact method also gets the rules' alerts."""
        return [body for body in self.to(name) if body.get("incident")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(params=["sqlite", "postgres"])
def story(request, workdir, base_env):
    env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)
    if request.param == "postgres":
        env["TELLTALE_DATABASE_URL"] = postgres_database()
    server = Server(workdir, env).start()
    service = Service()
    session = requests.Session()
    created = cli(server.workdir, server.env, "token", "create", "--user", "admin@telltale.local", "--name", "incidents",
                  "--scopes", "project:write event:write member:read")
    session.headers["Authorization"] = "Bearer " + created.stdout.split("Secret (shown only now): ")[1].split()[0]
    yield server, service, session, server.url + "/api/0"
    server.stop()
    service.close()


def set_up(service, session, api, step_two_delay):
    """The on-call webhooks, a policy (step 2 starts the recovery runbook), a monitor and a rule."""
    def post(path, body):
        response = session.post(api + path, json=body, timeout=10)
        assert response.status_code == 201, (path, response.status_code, response.text)
        return response.json()

    # The on-call person is reached on their own webhook, found through the schedule.
    post("/organizations/default/contact-methods/", {"type": "webhook", "name": "On-call phone", "config": {"url": service.url("/hooks/oncall")}})
    members = session.get(api + "/organizations/default/members/", timeout=10).json()
    admin = next(member["id"] for member in members if member["email"] == "admin@telltale.local")
    schedule = post("/organizations/default/schedules/", {"name": "Shop", "timezone": "Europe/Vienna", "layers": [
        {"name": "everyone", "users": [int(admin)], "start": "2026-01-05T09:00:00Z", "rotation": "weekly"}]})
    second = post("/organizations/default/channels/", {"type": "webhook", "name": "Platform lead", "config": {"url": service.url("/hooks/lead")}})
    monitor = post("/organizations/default/monitors/", {"name": "Shop API", "type": "http", "url": service.url("/health"), "interval_seconds": 1,
                                                        "timeout_seconds": 2, "failure_threshold": 1, "recovery_threshold": 1, "component": "API"})
    runbook = post("/organizations/default/runbooks/", {"name": "Restart the shop API", "steps": [
        {"type": "http", "method": "POST", "url": service.url("/recover"), "body": '{"incident": "{{incident.id}}"}', "retries": 2, "expect_status": [200]},
        {"type": "wait_for_monitor", "monitor": monitor["id"], "status": "up", "timeout_seconds": 60},
        {"type": "note", "text": "The shop API was restarted by the runbook."}]})
    policy = post("/organizations/default/escalation-policies/", {"name": "Shop on-call", "steps": [
        {"delay_seconds": 0, "targets": [{"type": "schedule", "id": schedule["id"]}]},
        {"delay_seconds": step_two_delay, "targets": [{"type": "channel", "id": second["id"]}], "runbook": runbook["id"]}], "repeat": 0})
    post("/organizations/default/alert-rules/", {"name": "Shop API down", "conditions": [{"type": "monitor_status", "status": "down"}],
                                                 "filters": [{"type": "monitor", "ids": [monitor["id"]]}],
                                                 "actions": [{"type": "open_incident", "severity": "critical", "escalation_policy": policy["id"],
                                                              "auto_resolve": True, "quiet_period_seconds": 1}]})
    return monitor


def incident_of(session, api):
    listed = session.get(api + "/organizations/default/incidents/", timeout=10).json()
    return listed[0] if listed else None


def test_down_escalates_runs_the_runbook_and_resolves_itself(story):
    server, service, session, api = story
    set_up(service, session, api, step_two_delay=3)
    time.sleep(1.5)  # the monitor's first checks: up
    service.healthy = False
    incident = wait_until(lambda: incident_of(session, api), what="an incident")
    assert incident["severity"] == "critical" and incident["opened_by"].startswith("rule:")
    # Step 1: the on-call webhook, with signed links; nobody acknowledges.
    oncall = wait_until(lambda: service.incident_messages("oncall"), what="step 1")
    assert oncall[0]["incident"]["status"] == "triggered" and "/incident-actions/" in oncall[0]["incident"]["acknowledge_url"]
    assert not service.to("lead")
    # Step 2 after its delay: the lead's webhook, and the runbook calls the recovery URL.
    wait_until(lambda: service.to("lead"), what="step 2")
    wait_until(lambda: service.recoveries, what="the runbook's call")
    resolved = wait_until(lambda: session.get(f"{api}/incidents/{incident['id']}/", timeout=10).json()["status"] == "resolved", timeout=60,
                          what="the incident resolving itself")
    assert resolved
    report = session.get(f"{api}/incidents/{incident['id']}/report", timeout=10).json()
    assert report["time_to_acknowledge_seconds"] is None
    assert report["time_to_resolve_seconds"] > 3
    assert report["resolved_automatically"] is True
    kinds = [entry["kind"] for entry in report["timeline"]]
    # The runbook's last steps may be recorded just after the incident resolved itself.
    after = kinds[kinds.index("resolved") + 1:] if "resolved" in kinds else ["missing"]
    assert kinds[0] == "opened" and kinds.count("escalated") == 2 and "runbook" in kinds and set(after) <= {"runbook", "note"}, kinds
    # The runbook's last step (its note) may finish just after the incident resolved itself.
    wait_until(lambda: session.get(f"{api}/organizations/default/runbooks/", timeout=10).json()[0]["runs"]["succeeded"] == 1, what="the run finishing")
    stats = session.get(f"{api}/organizations/default/incidents/stats/?statsPeriod=7d", timeout=10).json()
    assert stats["auto_resolution_rate"] == 1.0 and stats["mtta_seconds"] is None


def test_acknowledged_through_the_signed_link_escalation_stops_at_step_one(story):
    server, service, session, api = story
    set_up(service, session, api, step_two_delay=4)
    time.sleep(1.5)
    service.healthy = False
    oncall = wait_until(lambda: service.incident_messages("oncall"), what="step 1")
    link = oncall[0]["incident"]["acknowledge_url"].replace("http://localhost:8600", server.url)
    link = server.url + link[link.index("/incident-actions/"):]
    # Opening the link changes nothing; a forged one is refused; pressing the button acknowledges.
    assert requests.get(link, timeout=10).status_code == 200
    assert requests.post(link[:-3] + "xyz", timeout=10).status_code == 403
    pressed = requests.post(link, headers={"Accept": "application/json"}, timeout=10)
    assert pressed.status_code == 200, pressed.text
    assert requests.post(link, headers={"Accept": "application/json"}, timeout=10).status_code == 409
    time.sleep(6)
    assert not service.to("lead"), "escalation went on after the acknowledgement"
    assert service.recoveries == 0
    incident = incident_of(session, api)
    assert incident["status"] == "acknowledged" and incident["acknowledged_by"] == "link"
    report = session.get(f"{api}/incidents/{incident['id']}/report", timeout=10).json()
    assert report["time_to_acknowledge_seconds"] is not None


def test_incident_pages_in_the_browser_and_axe(browser, workdir, base_env):  # noqa: F811
    server = Server(workdir, dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)).start()
    receiver = Service()
    try:
        os.makedirs(PAGES_DIR, exist_ok=True)
        axe = Axe()
        failures = []
        context = browser.new_context(base_url=server.url, bypass_csp=True)
        page = context.new_page()
        sign_in(page)
        page.get_by_role("link", name="Incidents").click()
        expect(page.get_by_role("heading", name="Incidents", exact=True)).to_be_visible()
        expect(page.locator("#active-incidents")).to_contain_text("No active incident")
        check(page, "incidents-empty", "light", axe, failures)
        page.locator("summary", has_text="Open an incident").click()
        page.get_by_label("Title").fill("Checkout is failing")
        page.get_by_label("Severity").select_option("critical")
        page.get_by_label("Impact").fill("Card payments fail for everyone")
        page.get_by_role("button", name="Open incident").click()
        expect(page.get_by_role("heading", name="#1 Checkout is failing")).to_be_visible()
        expect(page.locator("#incident-status")).to_have_text("triggered")
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator("#incident-status")).to_have_text("acknowledged")
        page.get_by_label("Note").fill("Rolled back release 4.2")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#timeline")).to_contain_text("Rolled back release 4.2")
        page.get_by_label("Root cause").fill("A bad release")
        page.get_by_role("button", name="Save post-mortem").click()
        expect(page.get_by_role("status")).to_contain_text("Post-mortem saved")
        page.get_by_role("button", name="Resolve").click()
        expect(page.locator("#incident-status")).to_have_text("resolved")
        check(page, "incident", "light", axe, failures)
        markdown = context.request.get(page.get_by_role("link", name="Report as Markdown").get_attribute("href"))
        assert markdown.ok and "# Incident #1: Checkout is failing" in markdown.text() and "A bad release" in markdown.text()
        page.goto("/organizations/default/incidents/")
        check(page, "incidents", "light", axe, failures)
        # The active list is live: an incident opened through the API appears without a reload, and
        # the monitor it names links to it; its public update reaches the status page.
        token = cli(server.workdir, server.env, "token", "create", "--user", "admin@telltale.local", "--name", "pages",
                    "--scopes", "project:write").stdout.split("Secret (shown only now): ")[1].split()[0]
        api = requests.Session()
        api.headers["Authorization"] = "Bearer " + token
        monitor = api.post(server.url + "/api/0/organizations/default/monitors/", timeout=10,
                           json={"name": "Nightly backup", "type": "heartbeat", "interval_seconds": 86400, "grace_seconds": 600}).json()
        api.post(server.url + "/api/0/organizations/default/status-pages/", timeout=10,
                 json={"slug": "shop", "title": "Shop status", "monitors": [monitor["id"]]}).raise_for_status()
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        opened = api.post(server.url + "/api/0/organizations/default/incidents/", timeout=10,
                          json={"title": "Backups are late", "severity": "high", "monitors": [monitor["id"]]})
        assert opened.status_code == 201, opened.text
        expect(page.locator("#incident-rows")).to_contain_text("Backups are late", timeout=10000)
        check(page, "incidents-live", "light", axe, failures)
        page.goto(f"/organizations/default/monitors/{monitor['id']}/")
        page.get_by_role("link", name="#2 Backups are late").click()
        page.get_by_label("Note").fill("Backups are delayed; no data is lost.")
        page.get_by_label("a public update").check()
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#timeline")).to_contain_text("Backups are delayed")
        assert "Backups are delayed; no data is lost." in requests.get(server.url + "/status/shop", timeout=10).text
        # Each person's own contact methods, on the alerts page: added, tested, never shown back in full.
        page.goto("/organizations/default/alerts/")
        page.locator("summary", has_text="Add a contact method").click()
        page.locator("#contact-methods").get_by_label("Name").fill("My phone bridge")
        page.locator("#contact-methods").get_by_label("URL, routing key, or email addresses (comma-separated)").fill(receiver.url("/hooks/mine"))
        page.get_by_role("button", name="Add contact method").click()
        expect(page.locator("#contact-methods")).to_contain_text("My phone bridge")
        page.get_by_role("button", name="Send test to My phone bridge").click()
        expect(page.get_by_role("status")).to_contain_text("Test to My phone bridge")
        check(page, "alerts-contact", "light", axe, failures)
        assert receiver.to("mine"), "the test notification did not arrive"
        page.goto("/organizations/default/incidents/")
        # On call and automation: a schedule, a policy and a runbook from their JSON; a dry run renders the body.
        page.get_by_role("link", name="On call and automation").click()
        expect(page.get_by_role("heading", name="On call and automation")).to_be_visible()
        page.locator("summary", has_text="New schedule").click()
        page.get_by_role("button", name="Create schedule").click()
        expect(page.locator("#schedules")).to_contain_text("on call now: Administrator")
        expect(page.locator("#schedules svg.timeline rect.oc-0")).to_have_count(1)
        page.locator("summary", has_text="New escalation policy").click()
        page.get_by_role("button", name="Create policy").click()
        expect(page.locator("#policies")).to_contain_text("on call in schedule 1")
        page.locator("summary", has_text="New runbook, or try one").click()
        page.get_by_role("button", name="Dry run").click()
        expect(page.locator("#dry-run")).to_contain_text('body: {"incident": "42"}')
        page.get_by_role("button", name="Create runbook").click()
        expect(page.locator("#runbooks")).to_contain_text("Circuit breaker reset")
        # Each one is edited in place in the same JSON, and deleted.
        page.locator("summary", has_text="Edit Default").click()
        editor = page.get_by_label("Policy #1 (JSON)")
        editor.fill(editor.input_value().replace('"Default"', '"Weekend"'))
        page.get_by_role("button", name="Save Default").click()
        expect(page.locator("#policies")).to_contain_text("Weekend")
        page.locator("summary", has_text="Edit Circuit breaker reset").click()
        page.get_by_role("button", name="Delete Circuit breaker reset").click()
        expect(page.locator("#runbooks")).to_contain_text("No runbook yet")
        page.locator("summary", has_text="New schedule").click()
        page.get_by_label("Schedule (JSON)").fill('{"name": "x", "layers": []}')
        page.get_by_role("button", name="Create schedule").click()
        expect(page.get_by_role("alert")).to_contain_text("layers")
        page.goto("/organizations/default/oncall/")
        check(page, "oncall", "light", axe, failures)
        dark = browser.new_context(base_url=server.url, color_scheme="dark", bypass_csp=True).new_page()
        sign_in(dark)
        for name, path in [("incidents", "/organizations/default/incidents/"), ("incident", "/organizations/default/incidents/1/"),
                           ("oncall", "/organizations/default/oncall/")]:
            dark.goto(path)
            check(dark, name, "dark", axe, failures)
        assert not failures, "\n".join(failures)
        # The command line sees the same incident.
        listed = cli(server.workdir, server.env, "incident", "list")
        assert "Checkout is failing" in listed.stdout and "resolved" in listed.stdout
        context.close()
    finally:
        server.stop()
        receiver.close()
