"""Analysis end to end with the real binary, on SQLite and PostgreSQL, on a generated workload:
two weeks of history (a slow leak of one error, a recurring KeyError with varying carts raised in three places), a
payment endpoint failing on a Saturday, and a database outage: the database's monitor goes
down and a cascade of errors follows in the API, the worker and the gateway, with a second,
split-off copy of the database error. The API then shows the payment errors as critical and
revenue-blocking, the cascade correlated to the database monitor by dependency, the spike
detected within two five-minute intervals (and none for the slow leak), the split-off copy
suggested for merge, the KeyErrors as one pattern, and a database root cause for the top
issue. The dashboard shows the same in Chromium, checked with axe."""
import datetime
import os
import time

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import Server, cli, postgres_database, wait_until
from test_accessibility import PAGES_DIR, check
from test_dashboard import PASSWORD, browser, sign_in  # noqa: F401 (fixtures)
from test_incidents import Service

BUCKET = 300


@pytest.fixture(params=["sqlite", "postgres"])
def story(request, workdir, base_env):
    env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_ANALYSIS_DETECTOR_INTERVAL_SECONDS="1")
    if request.param == "postgres":
        env["TELLTALE_DATABASE_URL"] = postgres_database()
    server = Server(workdir, env).start()
    service = Service()
    session = requests.Session()
    created = cli(server.workdir, server.env, "token", "create", "--user", "admin@telltale.local", "--name", "analysis",
                  "--scopes", "project:write event:write member:read")
    session.headers["Authorization"] = "Bearer " + created.stdout.split("Secret (shown only now): ")[1].split()[0]
    yield request.param, server, service, session, server.url + "/api/0"
    server.stop()
    service.close()


def send(server, errors):
    key = server.dsn().split("//")[1].split("@")[0]
    for start in range(0, len(errors), 50):
        response = requests.post(server.url + "/api/0/projects/default/default/errors/", json=errors[start:start + 50], timeout=30,
                                 headers={"X-Sentry-Auth": f"Sentry sentry_key={key}"})
        assert response.status_code == 200, response.text


def trace(n):
    return f"{n:032x}"


def stack(path, function):
    return f'Traceback (most recent call last):\n  File "{path}", line 42, in {function}\n    run()\n'


def history(now):
    """Two weeks, hour by hour: a leak rising from one event every three hours to one an hour,
    and a KeyError every three hours with another cart each time, raised in three places."""
    errors = []
    hours = 14 * 24
    for h in range(hours, 0, -1):
        at = now - h * 3600 + 600
        leaking = (hours - h) / hours
        if h % 3 == 0 or leaking > 0.5:
            errors.append({"error_type": "ResourceWarning", "message": "worker cache is growing", "timestamp": at,
                           "stack_trace": stack("worker/cache.py", "remember"), "tags": {"service": "worker"}})
        if h % 3 == 0:
            place = ["shop/cart.py", "shop/checkout.py", "shop/wishlist.py"][h % 9 // 3]
            errors.append({"error_type": "KeyError", "message": f"missing key 'sku' in cart {1000 + h}", "timestamp": at,
                           "stack_trace": stack(place, "line_items"), "tags": {"service": "api"}, "user_id": f"shopper{h % 7}"})
    return errors


def last_saturday_afternoon(now):
    today = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()
    back = (today.weekday() - 5) % 7 or 7
    day = today - datetime.timedelta(days=back)
    return datetime.datetime(day.year, day.month, day.day, 14, 0, tzinfo=datetime.timezone.utc).timestamp()


def cascade(now):
    """The database is down: the API cannot connect, the worker times out, the gateway answers
    502, and a replica connection fails from another place in the code (grouped apart)."""
    errors = []
    for n in range(250):
        errors.append({"error_type": "OperationalError", "message": "could not connect to server: Connection refused", "timestamp": now,
                       "stack_trace": stack("shop/db.py", "get_orders"), "user_id": f"u{n % 12}", "trace_id": trace(n),
                       "tags": {"service": "api"}})
    for n in range(25):
        errors.append({"error_type": "TimeoutError", "message": "job timed out waiting for the database", "timestamp": now,
                       "stack_trace": stack("worker/jobs.py", "sync_orders"), "user_id": f"u{n % 12}", "trace_id": trace(n * 10),
                       "tags": {"service": "worker"}})
    for n in range(15):
        errors.append({"error_type": "BadGateway", "message": "502 from upstream api", "timestamp": now,
                       "tags": {"service": "gateway"}, "trace_id": trace(100 + n)})
    for n in range(6):
        errors.append({"error_type": "OperationalError", "message": "could not connect to server: Connection refused", "timestamp": now,
                       "stack_trace": stack("shop/replica.py", "get_orders"), "user_id": f"u{n}", "tags": {"service": "api"}})
    return errors


def issue_titled(session, api, prefix, culprit=None):
    issues = session.get(api + "/projects/default/default/issues/", params={"query": prefix, "limit": 100}, timeout=10).json()
    found = [i for i in issues if i["title"].startswith(prefix) and (culprit is None or culprit in i["culprit"])]
    assert found, (prefix, [i["title"] for i in issues])
    return found[0]


def test_generated_workload(story, browser):  # noqa: F811
    backend, server, service, session, api = story

    def post(path, body):
        response = session.post(api + path, json=body, timeout=10)
        assert response.status_code == 201, (path, response.status_code, response.text)
        return response.json()

    weekend = post("/organizations/default/calendars/", {"name": "Weekend", "timezone": "UTC", "windows": [{"days": ["sat", "sun"]}]})
    rule = post("/organizations/default/classification-rules/", {
        "name": "Checkout at the weekend", "conditions": [{"type": "transaction", "pattern": "/checkout"}, {"type": "calendar", "id": weekend["id"]}],
        "severity": "critical", "category": "payment", "business_impact": "revenue_blocking"})
    monitor = post("/organizations/default/monitors/", {"name": "Orders database", "type": "http", "url": service.url("/health"),
                                                        "interval_seconds": 1, "timeout_seconds": 2, "failure_threshold": 1, "recovery_threshold": 1})
    now = time.time()
    send(server, history(now))
    saturday = last_saturday_afternoon(now)
    send(server, [{"error_type": "CardError", "message": "payment provider unavailable", "timestamp": saturday + n * 30,
                   "tags": {"endpoint": "/checkout/pay", "service": "payments"}, "user_id": f"buyer{n}"} for n in range(8)])

    # The database goes down; the cascade follows.
    time.sleep(1.5)
    service.healthy = False
    wait_until(lambda: session.get(f"{api}/monitors/{monitor['id']}/", timeout=10).json().get("status") == "down", what="the monitor down")
    outage = time.time()
    send(server, cascade(outage))

    payment = issue_titled(session, api, "CardError")
    assert (payment["severity"], payment["business_impact"], payment["classified_by"]) == ("critical", "revenue_blocking", f"rule:{rule['id']}"), payment

    database = issue_titled(session, api, "OperationalError", "db.py")
    replica = issue_titled(session, api, "OperationalError", "replica.py")
    leak = issue_titled(session, api, "ResourceWarning")

    # The spike: detected by the background pass, within two five-minute intervals.
    def database_spike():
        spikes = session.get(f"{api}/organizations/default/spikes/?project=default", timeout=10).json()
        return [s for s in spikes if s.get("issue") == database["id"]] and spikes
    spikes = wait_until(database_spike, timeout=30, what="the outage's spike")
    started = datetime.datetime.fromisoformat(next(s for s in spikes if s.get("issue") == database["id"])["started_at"].replace("Z", "+00:00")).timestamp()
    assert started <= outage and outage - started < 2 * BUCKET, (started, outage)
    assert any(s["scope"] == "project" for s in spikes), spikes
    assert not [s for s in spikes if s.get("issue") == leak["id"]], "the slow leak was taken for a spike"

    # The cascade, correlated to the database monitor by dependency.
    from_monitor = session.post(f"{api}/monitors/{monitor['id']}/correlate", timeout=10).json()
    followed = {item["title"].split(":")[0]: item for item in from_monitor["related"]}
    assert {"OperationalError", "TimeoutError", "BadGateway"} <= set(followed), from_monitor
    assert all(item["types"] == ["dependency"] and item["confidence"] >= 0.5 for item in followed.values())
    assert "Orders database" in from_monitor["impact"]["summary"]
    from_issue = session.post(f"{api}/issues/{database['id']}/correlate", timeout=10).json()
    assert [m["name"] for m in from_issue["monitors"]] == ["Orders database"] and from_issue["monitors"][0]["type"] == "dependency", from_issue
    worker = next(item for item in from_issue["related"] if item["title"].startswith("TimeoutError"))
    assert {"user", "trace", "temporal"} <= set(worker["types"]), worker

    # The split-off copy is suggested for merge.
    similar = session.get(f"{api}/issues/{database['id']}/similar/", timeout=10).json()
    assert similar and similar[0]["id"] == replica["id"] and similar[0]["score"] >= 0.5, similar

    # Patterns (the pass finds them on its first run and every tenth after: a first run during
    # ingestion sees part of the events, and a later run the rest).
    def key_errors():
        found = session.get(f"{api}/organizations/default/patterns/", timeout=10).json()
        return [p for p in found if p["kind"] == "message" and p["key"].startswith("KeyError: missing key <s> in cart")
                and p["occurrences"] == 112]
    pattern = wait_until(key_errors, timeout=45, what="the KeyError pattern with all its occurrences")[0]
    assert len(pattern["issues"]) == 3 and pattern["occurrences"] == 112 and pattern["confidence"] >= 0.8, pattern

    # A sensible offline root cause for the top issue.
    top = session.get(api + "/projects/default/default/issues/?query=&sort=freq", timeout=10).json()[0]
    assert top["id"] == database["id"], top
    analysis = session.post(f"{api}/issues/{database['id']}/analysis", json={"provider": "offline"}, timeout=10)
    assert analysis.status_code == 201, analysis.text
    body = analysis.json()
    assert body["signature"] == "database_connection" and "shop/db.py:42 in get_orders" in body["root_cause"], body
    assert any(r["reason"] == "dependency" for r in body["related_issues"]), body

    if backend == "sqlite":
        dashboard(browser, server, database, replica)


def dashboard(browser, server, database, replica):  # noqa: F811
    os.makedirs(PAGES_DIR, exist_ok=True)
    axe = Axe()
    failures = []
    context = browser.new_context(base_url=server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page)
    page.goto(f"/organizations/default/issues/{database['id']}/")
    expect(page.locator("#related")).to_contain_text("Monitor Orders database went down")
    expect(page.locator("#related")).to_contain_text("TimeoutError")
    expect(page.locator("#similar")).to_contain_text("OperationalError")
    expect(page.locator("#similar").get_by_role("button", name="Merge with OperationalError")).to_be_visible()
    expect(page.locator("#analysis")).to_contain_text("Spikes")
    page.get_by_role("button", name="Analyse").click()
    expect(page.locator("#analysis")).to_contain_text("could not get or keep a database connection")
    check(page, "analysis-issue", "light", axe, failures)
    page.goto("/organizations/default/")
    expect(page.get_by_role("heading", name="Spikes, last 24 h")).to_be_visible()
    expect(page.locator("section", has_text="Spikes, last 24 h")).to_contain_text("OperationalError")
    expect(page.locator("section", has_text="Recurring patterns")).to_contain_text("KeyError")
    expect(page.locator(".spike-band").first).to_be_attached()
    check(page, "analysis-overview", "light", axe, failures)
    # Merging the split-off copy from the similar issues panel.
    page.goto(f"/organizations/default/issues/{database['id']}/")
    page.locator("#similar").get_by_role("button", name="Merge with OperationalError").click()
    expect(page.locator("h1")).to_contain_text("could not connect to server")
    expect(page.locator(".figures")).to_contain_text("256")
    context.close()
    assert not failures, "\n".join(failures)
