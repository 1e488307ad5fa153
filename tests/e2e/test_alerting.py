"""Alerting end to end: email over real SMTP servers (plain, STARTTLS with AUTH, implicit TLS),
signed webhooks, calendars that raise the severity inside a peak window, silences, retries,
and a `kill -9` during delivery that is redelivered under the same delivery id."""
import hashlib
import hmac
import http.server
import json
import os
import re
import subprocess
import sys
import datetime
import textwrap
import threading
import time
import zoneinfo

import pytest
import requests

from conftest import Server, free_port, wait_until
from mail import PASSWORD as SMTP_PASSWORD, MailServer
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from test_accessibility import PAGES_DIR, check
from test_dashboard import PASSWORD, SEND, browser, run_app, sign_in  # noqa: F401 (fixtures)
from test_health import telltale_token


def api(server, token):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    session.base = server.url + "/api/0"
    return session


@pytest.mark.parametrize("mode", ["plain", "starttls", "tls"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_send_test_reaches_a_real_mail_server(mode, workdir, base_env):
    with MailServer(mode) as mail:
        env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_SMTP_URL=mail.url(), TELLTALE_SMTP_FROM="Telltale <alerts@telltale.test>")
        server = Server(workdir, env).start()
        try:
            assert SMTP_PASSWORD not in server.output()
            session = api(server, telltale_token(server))
            created = session.post(session.base + "/organizations/default/channels/",
                                   json={"type": "email", "name": "On-call", "config": {"to": ["oncall@example.com", "lead@example.com"]}}, timeout=5)
            assert created.status_code == 201, created.text
            result = session.post(f"{session.base}/channels/{created.json()['id']}/test", timeout=30).json()
            assert result["outcome"] == "delivered", result
            assert result["status_code"] == 250
            sender, recipients, message, authenticated = mail.recorder.wait()[0]
            assert sender == "alerts@telltale.test" and recipients == ["oncall@example.com", "lead@example.com"]
            assert message["Subject"] == "[Telltale] test: Test notification from Telltale"
            assert message["From"] == "Telltale <alerts@telltale.test>"
            assert bool(authenticated) == (mode != "plain")
            text = message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            assert "send test" in text and "On-call" in text
            assert "<h1" in html and "Test notification from Telltale" in html
        finally:
            server.stop()
        assert SMTP_PASSWORD not in server.output()


def test_email_channel_without_smtp_is_refused_naming_the_field(workdir, base_env):
    server = Server(workdir, dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)).start()
    try:
        session = api(server, telltale_token(server))
        refused = session.post(session.base + "/organizations/default/channels/",
                               json={"type": "email", "name": "Mail", "config": {"to": ["a@b.c"]}}, timeout=5)
        assert refused.status_code == 400 and "config.to" in refused.text
    finally:
        server.stop()


def test_wrong_smtp_password_fails_the_attempt_with_the_servers_answer(workdir, base_env):
    with MailServer("starttls") as mail:
        url = mail.url().replace(SMTP_PASSWORD, "wrong-password")
        server = Server(workdir, dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_SMTP_URL=url, TELLTALE_SMTP_FROM="alerts@telltale.test")).start()
        try:
            session = api(server, telltale_token(server))
            channel = session.post(session.base + "/organizations/default/channels/",
                                   json={"type": "email", "name": "Mail", "config": {"to": ["a@example.com"]}}, timeout=5).json()
            result = session.post(f"{session.base}/channels/{channel['id']}/test", timeout=30).json()
            assert result["outcome"] == "failed" and result["status_code"] == 535, result
            assert "AUTH" in result["error"] and "wrong-password" not in result["error"]
            assert not mail.recorder.messages
        finally:
            server.stop()
        assert "wrong-password" not in server.output()


class Webhook:
    """A webhook receiver on 127.0.0.1 that checks the HMAC signature of every request, can
    fail the next N with 503 or hold the next one, and records what it answered."""

    def __init__(self, secret):
        self.secret = secret.encode()
        self.port = free_port()
        self.received = []  # (delivery id, body, signature valid) of every request that arrived
        self.answered = []  # the same, for requests answered 2xx
        self.fail = 0
        self.hold = 0.0
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = self.headers.get("X-Telltale-Timestamp", "")
                expected = "sha256=" + hmac.new(hook.secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, self.headers.get("X-Telltale-Signature", ""))
                record = (self.headers.get("X-Telltale-Delivery"), json.loads(body), valid)
                with hook.lock:
                    hook.received.append(record)
                    failing, hook.fail = hook.fail > 0, max(0, hook.fail - 1)
                    hold, hook.hold = hook.hold, 0.0
                time.sleep(hold)
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                if not failing:
                    with hook.lock:
                        hook.answered.append(record)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def wait(self, count, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.answered) >= count:
                    return list(self.answered)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.answered)} of {count} webhooks answered; received {self.received}")

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def send_error(dsn):
    """A checkout error from the real Python SDK, in production."""
    program = textwrap.dedent(f"""
        import sentry_sdk
        sentry_sdk.init(dsn={dsn!r}, environment="production", release="shop@2.1.0")
        def charge(order):
            raise RuntimeError("payment declined for order " + str(order))
        try:
            charge(1042)
        except Exception:
            sentry_sdk.capture_exception()
        sentry_sdk.flush(timeout=10)
    """)
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def peak_calendars():
    """Two calendars in Europe/Vienna around the real clock: one whose window (these days of
    the week, inside a yearly range) holds now, like a peak-season Saturday; one that does
    not, like an ordinary Tuesday. The fixed Saturday and Tuesday dates are in the
    TelltaleCore calendar tests, which take an injected clock."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Vienna")).date()
    around = [today + datetime.timedelta(days=d) for d in (-1, 0, 1)]
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    inside = [names[d.weekday()] for d in around]
    peak = {"name": "Peak season", "timezone": "Europe/Vienna",
            "windows": [{"days": inside, "from": around[0].strftime("%m-%d"), "to": around[2].strftime("%m-%d")}]}
    ordinary = {"name": "Other days", "timezone": "Europe/Vienna", "windows": [{"days": [n for n in names if n not in inside]}]}
    return peak, ordinary


def test_peak_day_is_critical_other_days_high_silences_retries_and_kill_9(workdir, base_env):
    hook = Webhook("whsec-e2e")
    with MailServer("plain") as mail:
        env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_SMTP_URL=mail.url(), TELLTALE_SMTP_FROM="Telltale <alerts@telltale.test>")
        server = Server(workdir, env).start()
        dsn = server.dsn()
        session = api(server, telltale_token(server))
        base = session.base
        email = session.post(base + "/organizations/default/channels/", json={"type": "email", "name": "On-call email", "config": {"to": ["oncall@example.com"]}}).json()
        webhook = session.post(base + "/organizations/default/channels/",
                               json={"type": "webhook", "name": "Ops webhook", "config": {"url": hook.url(), "secret": "whsec-e2e"}}).json()
        assert "whsec-e2e" not in json.dumps(webhook)
        peak, ordinary = peak_calendars()
        calendar = session.post(base + "/organizations/default/calendars/", json=peak).json()
        other_days = session.post(base + "/organizations/default/calendars/", json=ordinary).json()
        definition = {
            "name": "Checkout errors in production", "match": "any", "conditions": [{"type": "level", "at_least": "error"}],
            "filters": [{"type": "environment", "values": ["production"]}], "severity": "high",
            "calendar": {"id": calendar["id"], "inside": True, "severity": "critical"},
            "actions": [{"type": "notify", "channels": [email["id"], webhook["id"]]}], "action_interval_seconds": 0,
            # Each error of this test goes out on its own, a second after the last message.
            "group_interval_seconds": 1}
        rule = session.post(base + "/organizations/default/alert-rules/", json=definition).json()
        assert rule["id"], rule
        # The default rules of a new organization are there, and kept.
        names = [r["name"] for r in session.get(base + "/organizations/default/alert-rules/").json()]
        assert {"New or regressed error", "Monitor down", "Anything critical"} <= set(names)

        # Inside the peak window: critical, by email and by a signed webhook, within seconds.
        started = time.time()
        send_error(dsn)
        delivered = hook.wait(1)
        oncall = wait_until(lambda: [m for m in mail.recorder.messages if m[1] == ["oncall@example.com"]], what="the on-call email")
        elapsed = time.time() - started
        assert delivered[0][2], "the webhook signature must verify"
        assert delivered[0][1]["severity"] == "critical" and delivered[0][1]["version"] == 1
        assert "payment declined" in delivered[0][1]["title"]
        assert oncall[0][2]["Subject"].startswith("[Telltale] critical: ")
        assert elapsed < 15, elapsed
        # The default rule told the owner too, by email and in-app.
        wait_until(lambda: [m for m in mail.recorder.messages if m[1] == ["admin@telltale.local"]], what="the owner's email")
        inbox = session.get(base + "/notifications/").json()
        assert inbox and inbox[0]["rule_name"] == "New or regressed error" and not inbox[0]["read"]
        marked = session.post(base + "/notifications/read", json={"all": True}).json()
        assert marked["unread"] == 0 and marked["marked"] >= 1
        # Resolving the issue answers the default rule's alert ("send on resolved"); it waits in
        # the rule's group until group_interval (60 s) after the rule's last message.
        owner_first = time.time()
        issue = session.get(base + "/projects/default/default/issues/").json()[0]
        assert session.put(f"{base}/issues/{issue['id']}/", json={"status": "resolved"}).status_code == 200
        time.sleep(2)
        pending = [a for a in session.get(base + "/organizations/default/alerts/").json()["alerts"] if a["status"] == "pending"]
        assert pending and pending[0]["resolution"], pending
        wait_until(lambda: [m for m in mail.recorder.messages if m[1] == ["admin@telltale.local"] and m[2]["Subject"].startswith("[Telltale] resolved: ")],
                   timeout=90, what="the owner's resolved email")
        assert time.time() - owner_first >= 50

        # The same error outside it: high.
        definition["calendar"]["id"] = other_days["id"]
        assert session.put(f"{base}/alert-rules/{rule['id']}/", json=definition).status_code == 200
        send_error(dsn)
        assert hook.wait(2)[1][1]["severity"] == "high"
        wait_until(lambda: [m for m in mail.recorder.messages if m[1] == ["oncall@example.com"] and m[2]["Subject"].startswith("[Telltale] high: ")],
                   what="the email outside the window")

        # A silence stops the next one, and the history says so.
        silence = session.post(base + "/organizations/default/silences/", json={
            "matchers": [{"key": "rule", "value": str(rule["id"])}], "duration_seconds": 3600, "comment": "card processor maintenance"})
        assert silence.status_code == 201, silence.text
        send_error(dsn)
        history = wait_until(lambda: [a for a in session.get(base + "/organizations/default/alerts/").json()["alerts"]
                                      if a["rule_id"] == str(rule["id"]) and a["status"] == "silenced"], what="the silenced alert")
        assert history
        time.sleep(1)
        assert len(hook.received) == 2
        assert session.delete(f"{base}/silences/{silence.json()['id']}/").status_code == 204

        # A receiver that fails twice, then succeeds, gets it on the third attempt.
        hook.fail = 2
        send_error(dsn)
        hook.wait(3, timeout=30)
        notifications = session.get(base + "/organizations/default/alerts/").json()["notifications"]
        third = next(n for n in notifications if n["channel_type"] == "webhook" and n["status"] == "delivered" and len(n["attempts"]) == 3)
        assert [a["outcome"] for a in third["attempts"]] == ["retry", "retry", "delivered"]
        assert [a["status_code"] for a in third["attempts"]] == [503, 503, 200]
        metrics = session.get(server.url + "/metrics").text
        assert re.search(r'telltale_alerts_fired_total\{rule="%s",status="silenced"\} 1' % rule["id"], metrics), metrics
        assert 'telltale_notifications_total{channel_type="webhook",outcome="retry"} 2' in metrics
        assert 'telltale_notifications_total{channel_type="webhook",outcome="delivered"}' in metrics
        assert "telltale_notification_delivery_seconds_bucket" in metrics

        # kill -9 while a webhook is in flight: after the restart it is delivered again under the
        # same delivery id, so a receiver that dedupes by it sees it exactly once.
        before = len(hook.received)
        hook.hold = 3.0
        send_error(dsn)
        wait_until(lambda: len(hook.received) > before, what="the webhook in flight")
        in_flight = hook.received[before][0]
        server.process.kill()
        server.process.wait(timeout=10)
        server.log.close()
        server = Server(workdir, env).start()
        wait_until(lambda: any(r[0] == in_flight for r in hook.answered[3:]) and len(hook.received) > before + 1, timeout=40,
                   what="the redelivery after kill -9")
        time.sleep(1)
        # Sent twice on the wire (the killed attempt and the one after the restart), both as the
        # same notification: the alert was not evaluated or queued again.
        assert [r[0] for r in hook.received[before:]] == [in_flight, in_flight]
        record = next(n for n in session.get(base + "/organizations/default/alerts/").json()["notifications"] if n["id"] == in_flight)
        assert record["status"] == "delivered"
        assert [a["outcome"] for a in record["attempts"]] == ["delivered"]
        server.stop()
    hook.close()


def test_alerts_pages_in_the_browser_bell_send_test_rule_silence_history_and_axe(browser, workdir, base_env):  # noqa: F811
    hook = Webhook("page-secret")
    server = Server(workdir, dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)).start()
    try:
        os.makedirs(PAGES_DIR, exist_ok=True)
        axe = Axe()
        failures = []
        context = browser.new_context(base_url=server.url, bypass_csp=True)
        page = context.new_page()
        sign_in(page)
        expect(page.locator("#bell .count")).to_have_text("0")
        page.get_by_role("link", name="Alerts").click()
        expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
        # The default rules are listed.
        expect(page.locator("#rules")).to_contain_text("New or regressed error")

        # A webhook channel from the form, then "send test".
        channels = page.locator("#channels")
        channels.locator("summary").click()
        channels.get_by_label("Name", exact=True).fill("Ops webhook")
        channels.get_by_label("Type").select_option("webhook")
        channels.get_by_label("URL, routing key, or email addresses (comma-separated)").fill(hook.url())
        channels.get_by_label("Signing secret (webhooks)").fill("page-secret")
        page.get_by_role("button", name="Create channel").click()
        expect(page.locator("#channels")).to_contain_text("Ops webhook")
        expect(page.locator("#channels")).not_to_contain_text("page-secret")
        page.get_by_role("button", name="Send test to Ops webhook").click()
        expect(page.get_by_role("status")).to_contain_text("Test to Ops webhook: delivered (200)")
        assert hook.wait(1)[0][2] and hook.answered[0][0] == "test"

        # A rule from the form: every error in production, to the webhook and the owners.
        page.locator("#rules summary").click()
        page.get_by_label("Name", exact=True).first.fill("Every production error")
        page.locator("select[name=condition]").select_option("level")
        page.get_by_label("Only environment").fill("production")
        page.get_by_label("Ops webhook (webhook)").check()
        page.get_by_label("At most once per issue or monitor every (minutes)").fill("0")
        page.get_by_role("button", name="Create rule").click()
        expect(page.locator("#rules")).to_contain_text("Every production error")
        expect(page.locator("#rules")).to_contain_text("event at level ≥ error · environment production")
        # A performance threshold from the same form: N is the limit in milliseconds.
        page.locator("#rules summary").click()
        page.get_by_label("Name", exact=True).first.fill("Slow routes")
        page.locator("select[name=condition]").select_option("latency_threshold")
        page.get_by_label("N", exact=True).fill("800")
        page.get_by_label("Within minutes").fill("10")
        page.get_by_role("button", name="Create rule").click()
        expect(page.locator("#rules")).to_contain_text("p95 over 800 ms in 10 min")

        # An error arrives: the webhook gets it, the bell counts it without a reload.
        run_app(server.dsn(), SEND, environment="production")
        hook.wait(2)
        expect(page.locator("#bell .count")).not_to_have_text("0", timeout=15000)

        # A silence from the form; the history lists the alerts and each delivery attempt.
        page.reload()
        page.locator("#silences summary").click()
        page.get_by_label("Label").select_option("environment")
        page.get_by_label("Value").fill("staging")
        page.get_by_label("Comment").fill("load test")
        page.get_by_role("button", name="Silence").click()
        expect(page.locator("#silences")).to_contain_text("environment=staging")
        expect(page.locator("#history")).to_contain_text("Every production error")
        expect(page.locator("#deliveries")).to_contain_text("Ops webhook")
        page.locator("#deliveries details summary").first.click()
        expect(page.locator("#deliveries")).to_contain_text("delivered · 200")
        check(page, "alerts", "light", axe, failures)

        page.locator("#bell").click()
        expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
        expect(page.locator(".inbox")).to_contain_text("Rule New or regressed error")
        expect(page.locator(".inbox")).to_contain_text("Rule Every production error")
        check(page, "notifications", "light", axe, failures)
        page.get_by_role("button", name="Mark all read").click()
        expect(page.locator(".inbox-item.unread")).to_have_count(0)
        expect(page.locator("#bell .count")).to_have_text("0")

        dark = browser.new_context(base_url=server.url, color_scheme="dark", bypass_csp=True).new_page()
        sign_in(dark)
        for name, path in [("alerts", "/organizations/default/alerts/"), ("notifications", "/notifications/")]:
            dark.goto(path)
            check(dark, name, "dark", axe, failures)
        assert not failures, "\n".join(failures)
        context.close()
    finally:
        server.stop()
        hook.close()


def test_alerting_from_the_command_line(workdir, base_env):
    from conftest import cli
    server = Server(workdir, dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)).start()
    try:
        run = lambda *args: cli(server.workdir, server.env, "alert", *args)  # noqa: E731
        created = run("add-channel", "--type", "webhook", "--name", "Ops hook", "--url", "http://127.0.0.1:9/hook", "--secret", "cli-signing-secret")
        assert created.returncode == 0, created.stderr
        channel = re.search(r"channel (\d+)", created.stdout).group(1)
        refused = run("add-channel", "--type", "email", "--name", "Mail", "--to", "a@example.com")
        assert refused.returncode != 0 and "smtp.url" in refused.stderr
        listed = run("channels")
        assert "Ops hook" in listed.stdout and "cli-signing-secret" not in listed.stdout
        rule = run("add-rule", "--json", json.dumps({"name": "Production errors", "conditions": [{"type": "level", "at_least": "error"}],
                                                     "actions": [{"type": "notify", "channels": [channel]}]}))
        assert rule.returncode == 0, rule.stderr
        bad = run("add-rule", "--json", json.dumps({"name": "x", "conditions": [{"type": "moon_phase"}], "actions": [{"type": "notify", "roles": ["owner"]}]}))
        assert bad.returncode != 0 and "conditions" in bad.stderr
        rules = run("rules").stdout
        assert "Production errors" in rules and "New or regressed error" in rules
        assert run("silence", "--match", "environment=staging", "--hours", "1", "--comment", "load test").returncode == 0
        session = api(server, telltale_token(server))
        silences = session.get(session.base + "/organizations/default/silences/").json()
        assert silences[0]["matchers"][0]["key"] == "environment" and silences[0]["comment"] == "load test"
        rule_id = re.search(r"rule (\d+)", rule.stdout).group(1)
        assert run("delete-rule", rule_id).returncode == 0
        assert run("delete-rule", rule_id).returncode == 1
        assert run("history").returncode == 0
    finally:
        server.stop()
