"""Every dashboard page in a real Chromium, in the light and the dark theme: screenshots at
390 and 1440 px (kept under tests/e2e/screenshots/pages/ to look at), and axe-core's
accessibility rules, failing on any serious or critical violation."""
import os
import re

import requests
from axe_playwright_python.sync_playwright import Axe

from test_dashboard import SEND, SHOTS, browser, run_app, sign_in, telltale  # noqa: F401 (fixtures)

PAGES_DIR = os.path.join(SHOTS, "pages")


def pages_to_check(context, telltale):
    """Signs in, sends a real error, makes an invitation; returns (name, path) for every page."""
    run_app(telltale.dsn(), SEND, release="shop@2.0.0", environment="production")
    # Every badge colour on the list: info, error, and a critical revenue-blocking error.
    run_app(telltale.dsn(), 'sentry_sdk.capture_message("cache warmed", level="info")')
    key = telltale.dsn().split("//")[1].split("@")[0]
    sent = requests.post(telltale.url + "/api/0/projects/default/default/errors/", timeout=10,
                         headers={"X-Sentry-Auth": f"Sentry sentry_key={key}"},
                         json={"message": "card declined", "error_type": "PaymentError", "severity": "critical",
                               "business_impact": "revenue_blocking", "component": "checkout"})
    assert sent.status_code == 200, sent.text
    tab = context.new_page()
    sign_in(tab)
    issue = tab.locator("#issue-rows tr a").first.get_attribute("href")
    tab.goto("/organizations/default/settings/members/")
    tab.get_by_label("Email").fill("new.person@example.com")
    tab.get_by_role("button", name="Create invitation link").click()
    link = tab.locator("#invite-link").inner_text()
    invitation = re.sub(r"^https?://[^/]+", "", link)
    # A classification rule from its settings page: a dry run lists the issue it would change,
    # then the rule is created.
    tab.get_by_role("link", name="Classification").click()
    tab.locator("summary", has_text="New rule, or try one").click()
    tab.get_by_label("Rule (JSON)").fill('{"name": "Card errors", "conditions": [{"type": "exception_type", "pattern": "PaymentError"}], '
                                         '"severity": "critical", "category": "payment", "override_client": true}')
    tab.get_by_role("button", name="Dry run").click()
    tab.locator("#dry-run", has_text="card declined").wait_for()
    assert "would change" in tab.locator("#dry-run-summary").inner_text()
    tab.get_by_role("button", name="Create rule").click()
    tab.locator("#rules", has_text="Card errors").wait_for()
    tab.close()
    return [
        ("overview", "/organizations/default/"),
        ("issues", "/organizations/default/issues/"),
        ("issues-search", "/organizations/default/issues/?query=level%3Aerror+is%3Aresolved"),
        ("issue", issue),
        ("issue-events", issue + "events/"),
        ("issue-users", issue + "users/"),
        ("issues-empty", "/organizations/default/issues/?query=nothing-matches-this&period=1h"),
        ("settings", "/organizations/default/settings/"),
        ("project", "/organizations/default/settings/projects/default/"),
        ("members", "/organizations/default/settings/members/"),
        ("classification", "/organizations/default/settings/classification/"),
        ("audit-log", "/organizations/default/settings/audit-log/"),
        ("user-reports-empty", "/organizations/default/user-reports/?status=closed"),
        ("account", "/account/"),
        ("not-found", "/organizations/default/issues/99999/"),
    ], invitation


def check(page, name, scheme, axe, failures):
    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(PAGES_DIR, f"{name}-{scheme}-{width}.png"), full_page=True)
    results = axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            failures.append(f"{name} ({scheme}): {violation['id']} [{violation['impact']}] {violation['help']} at {targets}")


def test_every_page_passes_axe_in_both_themes(browser, telltale):  # noqa: F811
    os.makedirs(PAGES_DIR, exist_ok=True)
    axe = Axe()
    failures = []
    for scheme in ("light", "dark"):
        # axe is injected through the DevTools protocol; the pages' CSP allows no inline script.
        context = browser.new_context(base_url=telltale.url, color_scheme=scheme, bypass_csp=True)
        if scheme == "light":
            pages, invitation = pages_to_check(context, telltale)
        else:
            login = context.new_page()
            sign_in(login)
            login.close()
        page = context.new_page()
        for name, path in pages:
            page.goto(path)
            check(page, name, scheme, axe, failures)
        # Pages seen signed out: the sign-in form and an invitation.
        anonymous = browser.new_context(base_url=telltale.url, color_scheme=scheme, bypass_csp=True)
        outside = anonymous.new_page()
        for name, path in (("login", "/login"), ("invitation", invitation)):
            outside.goto(path)
            check(outside, name, scheme, axe, failures)
        anonymous.close()
        context.close()
    assert not failures, "\n".join(failures)
