"""Conformance with the real sentry-sdk from PyPI: each test runs a small Python program that
uses the SDK exactly as an application would (only the DSN points at Telltale), then checks
through the REST API or the database that what it sent arrived intact."""
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
import zstandard

import pytest
import requests

from conftest import Server, cli


@pytest.fixture
def telltale(workdir, base_env):
    env = dict(base_env, TELLTALE_ADMIN_PASSWORD="correct horse battery")
    server = Server(workdir, env).start()
    token = cli(workdir, env, "token", "create", "--user", "admin@telltale.local", "--name", "conformance",
                "--scopes", "org:read project:read event:read")
    server.token = re.search(r"(tlt_[0-9a-f]+)", token.stdout).group(1)
    server.db = os.path.join(workdir, "telltale-data", "telltale.db")
    yield server
    server.stop()


def run_app(dsn, body, **init):
    """Runs `body` after sentry_sdk.init(dsn=…, **init) in a fresh interpreter, then flushes."""
    options = ", ".join(f"{k}={v!r}" for k, v in init.items())
    program = "import sentry_sdk, logging, time\n" \
              f"sentry_sdk.init(dsn={dsn!r}, {options})\n" + textwrap.dedent(body) + \
              "\nsentry_sdk.flush(timeout=10)\n"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return result


def api(server, path):
    response = requests.get(server.url + "/api/0" + path, headers={"Authorization": f"Bearer {server.token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def event(server, event_id, attempts=50):
    for _ in range(attempts):
        response = requests.get(f"{server.url}/api/0/projects/default/default/events/{event_id}/",
                                headers={"Authorization": f"Bearer {server.token}"}, timeout=10)
        if response.status_code == 200:
            return response.json()
        time.sleep(0.1)
    raise AssertionError(f"event {event_id} not stored")


def rows(server, sql, *args):
    with sqlite3.connect(server.db) as connection:
        return connection.execute(sql, args).fetchall()


def wait_for(query, ready, *args):
    """Polls the database until `ready(rows)` holds (ingest answers only after the commit,
    but the SDK sends from a background thread)."""
    for _ in range(50):
        found = query(*args)
        if ready(found):
            return found
        time.sleep(0.1)
    return found


def printed_id(result):
    return re.search(r"EVENT=([0-9a-f]{32})", result.stdout).group(1)


def test_exception_with_chained_cause(telltale):
    result = run_app(telltale.dsn(), """
        def load(cfg):
            return cfg["database_url"]
        try:
            try:
                load({})
            except KeyError as e:
                raise RuntimeError("could not read configuration") from e
        except RuntimeError:
            print("EVENT=" + sentry_sdk.capture_exception())
    """)
    stored = event(telltale, printed_id(result))
    values = stored["exception"]["values"]
    assert [v["type"] for v in values] == ["KeyError", "RuntimeError"]
    assert values[1]["value"] == "could not read configuration"
    assert any(f["function"] == "load" and f["in_app"] for f in values[0]["stacktrace"]["frames"])
    assert stored["title"] == "RuntimeError: could not read configuration"
    issues = api(telltale, "/projects/default/default/issues/")
    assert issues[0]["count"] == "1"
    assert "type:KeyError" in issues[0]["groupingComponents"]


def test_message_with_template_and_breadcrumbs(telltale):
    result = run_app(telltale.dsn(), """
        logging.basicConfig(level=logging.INFO)
        log = logging.getLogger("billing")
        log.info("loading order %s", 1234)
        sentry_sdk.add_breadcrumb(category="auth", message="user signed in", level="info")
        log.error("Failed to charge order %s for user %s", 1234, "bob")
        print("EVENT=" + sentry_sdk.last_event_id())
    """)
    stored = event(telltale, printed_id(result))
    assert stored["logentry"]["message"] == "Failed to charge order %s for user %s"
    assert stored["logentry"]["formatted"] == "Failed to charge order 1234 for user bob"
    assert stored["logger"] == "billing"
    crumbs = [c.get("message") for c in stored["breadcrumbs"]["values"]]
    assert "loading order 1234" in crumbs and "user signed in" in crumbs


def test_user_tags_contexts_are_kept_and_secrets_scrubbed(telltale):
    result = run_app(telltale.dsn(), """
        sentry_sdk.set_user({"id": "u-42", "email": "ann@example.com"})
        sentry_sdk.set_tag("plan", "pro")
        sentry_sdk.set_context("order", {"id": 77, "total": 12.5, "password": "hunter2", "card": "4111 1111 1111 1111"})
        sentry_sdk.set_extra("api_key", "sk_live_abc")
        print("EVENT=" + sentry_sdk.capture_message("payment failed for token=abc123 with Bearer xyz.987"))
    """, release="shop@1.2.3", environment="staging")
    stored = event(telltale, printed_id(result))
    assert stored["user"]["id"] == "u-42" and stored["user"]["email"] == "ann@example.com"
    assert stored["tags"]["plan"] == "pro"
    assert stored["contexts"]["order"]["id"] == 77
    assert stored["contexts"]["order"]["password"] == "[Filtered]"
    assert stored["contexts"]["order"]["card"] == "[creditcard]"
    assert stored["extra"]["api_key"] == "[Filtered]"
    assert "abc123" not in stored["logentry"]["formatted"] and "xyz.987" not in stored["logentry"]["formatted"]
    assert stored["release"] == "shop@1.2.3" and stored["environment"] == "staging"


def test_request_interface_is_scrubbed(telltale):
    result = run_app(telltale.dsn(), """
        from sentry_sdk.integrations.wsgi import SentryWsgiMiddleware
        def app(environ, start_response):
            raise ValueError("bad input")
        wrapped = SentryWsgiMiddleware(app)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/checkout", "QUERY_STRING": "password=hunter2&x=1",
                   "SERVER_NAME": "shop", "SERVER_PORT": "80", "wsgi.url_scheme": "http", "HTTP_AUTHORIZATION": "Bearer s3cr3t",
                   "HTTP_COOKIE": "session=abc", "HTTP_X_CUSTOM": "kept", "REMOTE_ADDR": "203.0.113.5"}
        try:
            wrapped(environ, lambda *a: None)
        except ValueError:
            pass
    """, send_default_pii=True)
    found = wait_for(rows, bool, telltale, "select event_id from events where title = 'ValueError: bad input'")
    stored = event(telltale, found[0][0])
    request = stored["request"]
    headers = {k.lower(): v for k, v in (request["headers"].items() if isinstance(request["headers"], dict) else request["headers"])}
    assert headers["authorization"] == "[Filtered]"
    assert headers.get("cookie", "[Filtered]") == "[Filtered]"
    assert headers["x-custom"] == "kept"
    assert "hunter2" not in json.dumps(stored)
    assert stored["exception"]["values"][-1]["mechanism"]["handled"] is False


def test_transaction_with_spans(telltale):
    run_app(telltale.dsn(), """
        with sentry_sdk.start_transaction(op="http.server", name="GET /orders/{id}") as tx:
            with sentry_sdk.start_span(op="db", name="SELECT orders"):
                time.sleep(0.01)
            with sentry_sdk.start_span(op="http.client", name="GET payments"):
                pass
    """, traces_sample_rate=1.0)
    found = wait_for(rows, bool, telltale, "select name, op, duration_ms, payload from transactions")
    name, op, duration, payload = found[0]
    assert (name, op) == ("GET /orders/{id}", "http.server")
    assert duration >= 10
    # Stored payloads are Zstandard frames.
    spans = json.loads(zstandard.ZstdDecompressor().decompress(payload))["spans"]
    assert {s["op"] for s in spans} == {"db", "http.client"}


def test_session_and_check_in(telltale):
    run_app(telltale.dsn(), """
        from sentry_sdk.crons import capture_checkin
        from sentry_sdk.crons.consts import MonitorStatus
        sentry_sdk.get_isolation_scope().start_session()
        try:
            1 / 0
        except ZeroDivisionError:
            sentry_sdk.capture_exception()
        sentry_sdk.get_isolation_scope().end_session()
        check_in = capture_checkin(monitor_slug="nightly-report", status=MonitorStatus.IN_PROGRESS)
        capture_checkin(monitor_slug="nightly-report", check_in_id=check_in, status=MonitorStatus.OK, duration=3.5)
    """, release="app@2.0.0")
    sessions = wait_for(rows, bool, telltale, "select release, status, errors from sessions")
    checkins = wait_for(rows, lambda found: len(found) == 2, telltale, "select monitor_slug, status, duration from check_ins order by id")
    assert sessions[0][0] == "app@2.0.0" and sessions[0][2] >= 1
    assert [c[1] for c in checkins] == ["in_progress", "ok"]
    assert checkins[1][0] == "nightly-report" and checkins[1][2] == 3.5


def test_user_feedback_links_to_its_event(telltale):
    result = run_app(telltale.dsn(), """
        from sentry_sdk.envelope import Envelope, Item, PayloadRef
        event_id = sentry_sdk.capture_message("checkout page crashed")
        envelope = Envelope(headers={"event_id": event_id})
        envelope.add_item(Item(payload=PayloadRef(json={"event_id": event_id, "name": "Ann", "email": "ann@example.com",
                                                        "comments": "It broke when I paid"}), type="user_report"))
        sentry_sdk.get_client().transport.capture_envelope(envelope)
        print("EVENT=" + event_id)
    """)
    event_id = printed_id(result)
    event(telltale, event_id)
    reports = wait_for(rows, bool, telltale, "select event_id, name, comments from user_reports")
    assert reports == [(event_id, "Ann", "It broke when I paid")]


@pytest.mark.parametrize("algorithm", ["gzip", "br"])
def test_compressed_bodies(telltale, algorithm):
    result = run_app(telltale.dsn(), """
        print("EVENT=" + sentry_sdk.capture_message("compressed hello " + "x" * 2000))
    """, _experiments={"transport_compression_algo": algorithm, "transport_compression_level": 6})
    assert event(telltale, printed_id(result))["logentry"]["formatted"].startswith("compressed hello")


def test_rate_limit_makes_the_sdk_back_off(workdir, base_env):
    env = dict(base_env, TELLTALE_INGEST_KEY_RATE_LIMIT="1")
    server = Server(workdir, env).start()
    try:
        run_app(server.dsn(), """
            for i in range(4):
                sentry_sdk.capture_message(f"limited {i}")
                sentry_sdk.flush(timeout=5)
        """)
        metrics = requests.get(server.url + "/metrics").text
        db = os.path.join(workdir, "telltale-data", "telltale.db")
        with sqlite3.connect(db) as connection:
            stored = connection.execute("select count(*) from events").fetchone()[0]
            backoff = connection.execute("select coalesce(sum(quantity), 0) from outcomes where reason = 'ratelimit_backoff'").fetchone()[0]
        refused = re.search(r'telltale_http_requests\{route="/api/\{project_id\}/envelope",method="POST",status="429"\} (\d+)', metrics)
        assert stored == 1
        assert refused and int(refused.group(1)) == 1, "the SDK sent again after the 429"
        assert backoff >= 2, "the SDK did not report dropping events locally"
    finally:
        server.stop()
