"""Issues driven through the REST API as a user would, with errors sent by the real Python
sentry-sdk: grouping across call sites, resolve, regression, merge, search."""
import re
import time

import pytest
import requests

from conftest import Server, cli
from test_sentry_sdk import run_app


@pytest.fixture
def telltale(workdir, base_env):
    server = Server(workdir, base_env).start()
    token = cli(workdir, base_env, "token", "create", "--user", "admin@telltale.local", "--name", "triage",
                "--scopes", "org:read project:read event:write")
    server.headers = {"Authorization": "Bearer " + re.search(r"(tlt_[0-9a-f]+)", token.stdout).group(1)}
    yield server
    server.stop()


def call(server, method, path, **kwargs):
    response = requests.request(method, server.url + "/api/0" + path, headers=server.headers, timeout=10, **kwargs)
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def issues(server, query="", sort="date"):
    return call(server, "GET", "/projects/default/default/issues/", params={"query": query, "sort": sort})


SEND = """
    def charge(amount):
        raise ValueError(f"card declined for {amount} EUR")

    def refund(amount):
        raise ValueError(f"card declined for {amount} EUR")

    def lookup(key):
        return {}[key]

    try:
        charge(10)
    except ValueError:
        sentry_sdk.capture_exception()
    x = 1
    try:
        charge(20)  # another call site, another line
    except ValueError:
        sentry_sdk.capture_exception()
    try:
        refund(30)  # same message, another function
    except ValueError:
        sentry_sdk.capture_exception()
    try:
        lookup("price")  # same caller, another exception type
    except KeyError:
        sentry_sdk.capture_exception()
    sentry_sdk.capture_message("order 3f2b8c1e-8d0a-4f5e-9a51-0c2d6b7e9f10 failed for user 42 at 10.1.2.3")
    sentry_sdk.capture_message("order 9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d failed for user 77 at 10.9.8.7")
"""


def wait_for_issues(server, count):
    for _ in range(50):
        found = issues(server, "")
        if sum(int(i["count"]) for i in found) >= count:
            return found
        time.sleep(0.1)
    return found


def test_first_event_to_resolved_regression_merge_and_search(telltale):
    run_app(telltale.dsn(), SEND, release="shop@1.0.0", environment="production")
    found = wait_for_issues(telltale, 6)
    # Two call sites of charge() group together; refund() and the KeyError do not; the two
    # messages that differ only in ids, numbers and IPs are one issue.
    assert len(found) == 4, [(i["title"], i["culprit"], i["count"]) for i in found]
    charge = next(i for i in found if i["culprit"].endswith("charge"))
    refund = next(i for i in found if i["culprit"].endswith("refund"))
    message = next(i for i in found if i["title"].startswith("order "))
    assert charge["count"] == "2"
    assert message["count"] == "2"
    detail = call(telltale, "GET", f"/issues/{charge['id']}/")
    assert "production" in [v["value"] for t in detail["tags"] if t["key"] == "environment" for v in t["topValues"]]
    assert any("charge" in c for c in detail["grouping"]["components"]), detail["grouping"]

    # Search: environment, release, free text, counts.
    assert {i["id"] for i in issues(telltale, "environment:production release:shop@1.0.0 is:unresolved")} == {i["id"] for i in found}
    assert [i["id"] for i in issues(telltale, "\"card declined\" times_seen:>1")] == [charge["id"]]
    assert issues(telltale, "environment:staging") == []

    # Resolve with a note; it leaves the unresolved list.
    resolved = call(telltale, "PUT", f"/issues/{charge['id']}/", json={"status": "resolved", "resolutionNote": "retry the gateway"})
    assert resolved["status"] == "resolved" and resolved["resolutionNote"] == "retry the gateway"
    assert charge["id"] not in [i["id"] for i in issues(telltale, "is:unresolved")]

    # The same error again: a regression, recorded on the timeline.
    run_app(telltale.dsn(), SEND.split("x = 1")[0], release="shop@1.0.1", environment="production")
    for _ in range(50):
        again = call(telltale, "GET", f"/issues/{charge['id']}/")
        if again["status"] == "recurring":
            break
        time.sleep(0.1)
    assert again["status"] == "recurring" and again["lastRelease"] == "shop@1.0.1"
    assert [a["type"] for a in call(telltale, "GET", f"/issues/{charge['id']}/activity/")] == ["set_status", "set_regression"]
    assert [i["id"] for i in issues(telltale, "is:regressed")] == [charge["id"]]

    # Merge refund() into charge(): one issue, the events together, found by search.
    merged = call(telltale, "PUT", "/projects/default/default/issues/", params=[("id", charge["id"]), ("id", refund["id"])], json={"merge": 1})
    assert merged["merge"]["parent"] == charge["id"]
    assert call(telltale, "GET", f"/issues/{refund['id']}/")["id"] == charge["id"]
    results = issues(telltale, "\"card declined\"")
    assert [i["id"] for i in results] == [charge["id"]] and results[0]["count"] == "4"
    events = call(telltale, "GET", f"/issues/{charge['id']}/events/")
    assert len(events) == 4
