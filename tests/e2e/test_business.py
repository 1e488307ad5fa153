"""Business insight end to end, with the real binary: workflows from the booking template,
generated traffic where bookings fail more often than their target allows and payment
errors carry revenue, a revenue-at-risk rule that fires, and the Business page, the issue
page and the overview showing the figures (axe and screenshots at 390 and 1440 px)."""
import json
import time
import uuid

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe

from conftest import Server, cli, wait_until
from test_accessibility import check
from test_dashboard import PASSWORD, browser, sign_in  # noqa: F401 (fixtures)


@pytest.fixture
def shop(workdir, base_env):
    env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_BUSINESS_REVENUE_CHECK_INTERVAL_SECONDS="1")
    server = Server(workdir, env).start()
    session = requests.Session()
    created = cli(server.workdir, server.env, "token", "create", "--user", "admin@telltale.local", "--name", "business",
                  "--scopes", "project:write event:write")
    session.headers["Authorization"] = "Bearer " + created.stdout.split("Secret (shown only now): ")[1].split()[0]
    yield server, session
    server.stop()


def transaction(url, end, ok=True):
    event_id = uuid.uuid4().hex
    return {"type": "transaction", "event_id": event_id, "transaction": url, "transaction_info": {"source": "url"},
            "start_timestamp": end - 0.08, "timestamp": end, "platform": "python", "release": "shop@2.0", "environment": "production",
            "contexts": {"trace": {"trace_id": event_id, "span_id": "a" * 16, "op": "http.server", "status": "ok" if ok else "internal_error"}}}


def send_envelope(server, key, item):
    payload = json.dumps(item)
    body = json.dumps({"event_id": item["event_id"]}) + "\n" + json.dumps({"type": item["type"], "length": len(payload)}) + "\n" + payload + "\n"
    reply = requests.post(f"{server.url}/api/1/envelope/", data=body.encode(), timeout=10,
                          headers={"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7"})
    assert reply.status_code == 200, reply.text


def test_booking_below_target_and_revenue_at_risk_alert(shop, browser):  # noqa: F811
    server, api = shop
    base = server.url + "/api/0/organizations/default"
    key = server.dsn().split("//")[1].split("@")[0]
    assert api.post(base + "/workflows/", json={"template": "booking"}).status_code == 201
    rule = api.post(base + "/alert-rules/", json={"name": "Revenue at risk", "conditions": [{"type": "revenue_at_risk", "amount": 500, "window_seconds": 3600}],
                                                  "actions": [{"type": "notify", "roles": ["owner"]}]})
    assert rule.status_code == 201, rule.text

    # 40 bookings, one in five failing (80 % against 95 %); 20 payments, all fine.
    now = time.time()
    for i in range(40):
        send_envelope(server, key, transaction(f"/api/bookings/{100 + i}", now - 120 + i, ok=i % 5 != 0))
    for i in range(20):
        send_envelope(server, key, transaction(f"/api/payments/{i}", now - 60 + i))
    # Card errors in the payment workflow: one worth 450 by itself, four more at the workflow's 60.
    errors = [{"error_type": "CardError", "message": "card declined", "tags": {"workflow": "payment"}, "revenue_impact": 450}]
    errors += [{"error_type": "CardError", "message": "card declined", "tags": {"workflow": "payment"}} for _ in range(4)]
    sent = requests.post(f"{server.url}/api/0/projects/default/default/errors/?sentry_key={key}", json=errors, timeout=10)
    assert sent.status_code == 200, sent.text

    def summary():
        reply = api.get(base + "/business-impact/?statsPeriod=24h")
        assert reply.status_code == 200, reply.text
        return reply.json()
    # Revenue at risk: 8 failed bookings at 40, and the payment errors' 690.
    wait_until(lambda: summary()["revenue_at_risk"] == 1010 and summary()["workflows"][0]["attempts"] == 40, what="the business figures")
    figures = summary()
    booking = next(w for w in figures["workflows"] if w["name"] == "Booking")
    assert booking["success_rate"] == 80 and booking["meets_target"] is False and booking["failures"] == 8 and booking["revenue_at_risk"] == 320
    payment = next(w for w in figures["workflows"] if w["name"] == "Payment")
    assert payment["success_rate"] == 100 and payment["revenue_at_risk"] == 690 and payment["errors"] == 5

    # The revenue rule fires once, linking to the Business page.
    def fired():
        alerts = api.get(base + "/alerts/").json()["alerts"]
        return [a for a in alerts if a["title"] == "Revenue at risk"]
    wait_until(lambda: len(fired()) == 1, timeout=30, what="the revenue-at-risk alert")
    assert fired()[0]["link"].endswith("/organizations/default/business/") and "USD 1010.00 at risk in 1 h" in fired()[0]["reason"]
    time.sleep(2)
    assert len(fired()) == 1, "a standing crossing alerts once"

    # A signup funnel split by traffic source, then business events by the project's key: two
    # signups (from ads and from search), one booking worth 40; a retry is skipped.
    funnel = api.post(base + "/funnels/", json={"name": "Signup to booking", "steps": [{"event": "signup"}, {"event": "booking_completed", "label": "First booking"}],
                                               "conversion_window_seconds": 86400, "segments": ["traffic_source", "device"]})
    assert funnel.status_code == 201, funnel.text
    events = [{"id": "s1", "name": "signup", "user_id": "ana", "properties": {"traffic_source": "ads"}},
              {"id": "s2", "name": "signup", "user_id": "ben", "properties": {"traffic_source": "search"}},
              {"id": "b1", "name": "booking_completed", "user_id": "ana", "value": 40}]
    for expected in (3, 0):
        reply = requests.post(f"{server.url}/api/0/projects/default/default/business-events/?sentry_key={key}", json=events, timeout=10)
        assert reply.status_code == 200 and reply.json()["accepted"] == expected, reply.text
    metrics = api.get(base + "/business-metrics/?statsPeriod=24h").json()
    booked = next(e for e in metrics["events"] if e["name"] == "booking_completed")
    assert metrics["active_users_total"] == 2 and booked["adoption"] == 0.5 and metrics["revenue_total"] == 40
    report = api.get(base + f"/funnels/{funnel.json()['id']}/?statsPeriod=24h&segment=traffic_source").json()
    assert report["entered"] == 2 and report["converted"] == 1 and [s["value"] for s in report["segments"]] == ["ads", "search"], report

    issue = next(i for i in api.get(server.url + "/api/0/projects/default/default/issues/").json() if i["title"].startswith("CardError"))
    axe, failures = Axe(), []
    for scheme in ("light", "dark"):
        context = browser.new_context(base_url=server.url, color_scheme=scheme, bypass_csp=True)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        sign_in(tab)
        tab.goto("/organizations/default/business/?statsPeriod=24h")
        assert tab.locator("h1").count() == 1
        row = tab.locator("section[aria-labelledby=workflows-title] tr", has_text="Booking")
        # 40 transactions and the booking event (the template's workflow names it): 33 of 41.
        assert "below target" in row.inner_text() and "80.49 %" in row.inner_text() and "\t41\t" in row.inner_text()
        currency = "USD" if scheme == "light" else "EUR"  # changed below, on the light pass
        assert f"{currency} 1,010" in tab.locator(".gaugecard", has_text="Revenue at risk").inner_text()
        activity = tab.locator("section", has_text="Activity from business events")
        assert "2 active users" in activity.inner_text() and "50 %" in activity.locator("tr", has_text="booking_completed").inner_text()
        check(tab, "business", scheme, axe, failures)
        # The funnel, then split by traffic source.
        card = tab.locator("section", has_text="Funnel: Signup to booking")
        assert "1 of 2 converted (50 %)" in card.inner_text() and "First booking" in card.inner_text()
        card.get_by_role("link", name="by traffic_source").click()
        card = tab.locator("section", has_text="Funnel: Signup to booking")
        assert "100 %" in card.locator("tr", has_text="ads").inner_text() and "0 %" in card.locator("tr", has_text="search").inner_text()
        check(tab, "business-funnel", scheme, axe, failures)
        tab.get_by_role("link", name="Service levels").click()
        row = tab.locator("tr", has_text="Error rate").first
        assert "does not hold" in row.inner_text(), row.inner_text()
        check(tab, "service-levels", scheme, axe, failures)
        if scheme == "light":
            tab.goto(f"/organizations/default/issues/{issue['id']}/")
            assert "USD 690 · Payment" in tab.locator("dl.figures").inner_text()
            tab.goto("/organizations/default/")
            assert "USD 1,010" in tab.locator("main").inner_text()
            # Another currency shows on the page as soon as it is set.
            assert api.put(base + "/business-settings/", json={"currency": "EUR"}).status_code == 200
            tab.goto("/organizations/default/business/")
            assert "EUR 1,010" in tab.locator(".gaugecard", has_text="Revenue at risk").inner_text()
        context.close()
    assert not failures, "\n".join(failures)
