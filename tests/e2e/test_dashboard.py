"""The dashboard in a real headless Chromium (Debian's `chromium`, driven by Playwright):
a newcomer signs in, copies the DSN, sends an error with the real Python SDK, watches it
arrive live, reads its stack trace, resolves it and signs out; a viewer cannot triage;
forms without the CSRF token are refused; pages are valid HTML and fit 360 px and 1440 px."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

import html5lib
import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from conftest import Server, cli

PASSWORD = "first-start-secret"
SHOTS = os.path.join(os.path.dirname(__file__), "screenshots")

SEND = """
    def load_cart(user):
        return {}["cart-" + user]

    def checkout(user):
        try:
            return load_cart(user)
        except KeyError as error:
            raise RuntimeError("checkout failed for <script>alert(1)</script>") from error

    sentry_sdk.set_tag("flow", "checkout")
    sentry_sdk.add_breadcrumb(category="cart", message="opened the cart", level="info")
    try:
        checkout("u-7")
    except RuntimeError:
        sentry_sdk.capture_exception()
"""


def run_app(dsn, body, **init):
    """Runs `body` from a real file (so the SDK sends source context lines) after sentry_sdk.init."""
    options = ", ".join(f"{k}={v!r}" for k, v in init.items())
    program = f"import sentry_sdk\nsentry_sdk.init(dsn={dsn!r}, {options})\n" + textwrap.dedent(body) + "\nsentry_sdk.flush(timeout=10)\n"
    with tempfile.NamedTemporaryFile("w", suffix="_shop.py", delete=False) as script:
        script.write(program)
    try:
        result = subprocess.run([sys.executable, script.name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(script.name)
    assert result.returncode == 0, result.stderr


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    return path


@pytest.fixture
def telltale(workdir, base_env):
    env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD)
    server = Server(workdir, env).start()
    server.workdir, server.env = workdir, env
    yield server
    server.stop()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def page(request, browser, telltale):
    context = browser.new_context(base_url=telltale.url, viewport={"width": 1440, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=telltale.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, request.node.name + ".png")
        tab.screenshot(path=path, full_page=True)
        print(f"screenshot saved to {path}")
    context.close()


def sign_in(page, email="admin@telltale.local", password=PASSWORD):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Issues")).to_be_visible()


def open_first_issue(page, telltale):
    """Sends the recorded error, signs in as the admin and opens the first issue; returns its URL."""
    run_app(telltale.dsn(), SEND)
    sign_in(page)
    page.locator("#issue-rows tr a").first.click()
    return page.url.split("#")[0]


def test_newcomer_triages_a_real_error_to_resolved(page, telltale):
    sign_in(page)
    # The empty state shows the DSN with a copy button and SDK snippets.
    dsn = page.locator("#setup-dsn").inner_text()
    assert dsn == telltale.dsn()
    page.get_by_role("button", name="Copy DSN").click()
    assert page.evaluate("navigator.clipboard.readText()") == dsn
    expect(page.locator(".setup")).to_contain_text("sentry_sdk.init")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")

    # An error sent now appears without a reload.
    page.evaluate("window.notReloaded = true")
    run_app(dsn, SEND, release="shop@2.0.0", environment="production")
    row = page.locator("#issue-rows tr", has_text="checkout failed")
    expect(row).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    expect(row).to_contain_text("<script>alert(1)</script>")  # shown as text, never run

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RuntimeError")
    exceptions = page.locator("article.exception")
    expect(exceptions).to_have_count(2)
    expect(exceptions.nth(0)).to_contain_text("RuntimeError")
    expect(exceptions.nth(1)).to_contain_text("Caused by")
    expect(exceptions.nth(1)).to_contain_text("KeyError")
    in_app = exceptions.nth(0).locator("li.frame.in-app")
    expect(in_app.first).to_contain_text("checkout")
    expect(in_app.first.locator("tr.current")).to_contain_text('raise RuntimeError("checkout failed')
    expect(page.locator(".crumbs-list")).to_contain_text("opened the cart")
    expect(page.locator("#event")).to_contain_text("shop@2.0.0")
    expect(page.locator(".tag", has_text="flow")).to_contain_text("checkout")
    expect(page.get_by_role("link", name="Raw JSON")).to_be_visible()

    # Similar issues load after the page (ranking reads the recent issues).
    expect(page.locator("#similar-rows")).to_contain_text(re.compile("alike|None found"))

    # Classified when it opened; a person's change of it sticks and shows who decided.
    classification = page.get_by_role("region", name="Classification")
    expect(classification).to_contain_text("decided by")
    classification.locator("summary", has_text="Change the classification").click()
    classification.get_by_label("Severity").select_option("critical")
    classification.get_by_label("Business impact").select_option("revenue_blocking")
    classification.get_by_role("button", name="Save classification").click()
    expect(page.get_by_role("region", name="Classification")).to_contain_text("critical")
    expect(page.get_by_role("region", name="Classification")).to_contain_text("decided by a person")
    expect(page.locator(".timeline")).to_contain_text("classified it as critical")

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#issue-status")).to_have_text("resolved")
    expect(page.locator(".timeline")).to_contain_text("set the status to resolved")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/organizations/default/issues/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_viewer_sees_but_cannot_resolve(page, telltale):
    cli(telltale.workdir, telltale.env, "user", "create", "--email", "viewer@example.com", "--password", "viewer-password",
        "--org", "default", "--role", "viewer")
    run_app(telltale.dsn(), SEND)
    sign_in(page, "viewer@example.com", "viewer-password")
    row = page.locator("#issue-rows tr", has_text="checkout failed")
    expect(row).to_be_visible()
    expect(page.locator("#bulk")).to_have_count(0)
    row.get_by_role("link").click()
    expect(page.locator("article.exception").first).to_be_visible()
    expect(page.get_by_role("button", name="Resolve")).to_have_count(0)
    # Even a well-formed post with the viewer's own CSRF token is refused.
    token = page.locator('form[action="/logout"] input[name="_csrf"]').input_value()
    url = page.url.split("#")[0] + "status"
    response = page.request.post(url, form={"_csrf": token, "action": "resolved"}, max_redirects=0)
    assert response.status == 403
    page.reload()
    expect(page.locator("#issue-status")).not_to_have_text("resolved")


def test_posts_without_the_csrf_token_are_refused(page, telltale):
    status_url = open_first_issue(page, telltale) + "status"
    for form in ({"action": "resolved"}, {"action": "resolved", "_csrf": "0" * 64}):
        response = page.request.post(status_url, form=form, max_redirects=0)
        assert response.status == 403, form
    # Signing in needs the sign-in form's own token too.
    assert requests.post(telltale.url + "/login", data={"email": "admin@telltale.local", "password": PASSWORD},
                         allow_redirects=False, timeout=10).status_code == 403
    page.reload()
    expect(page.locator("#issue-status")).to_have_text("new")


def test_pages_are_valid_html_and_fit_small_and_large_screens(page, telltale):
    issue_path = open_first_issue(page, telltale).replace(telltale.url, "")
    paths = ["/organizations/default/", "/organizations/default/issues/", issue_path, issue_path + "events/", issue_path + "users/",
             "/organizations/default/settings/",
             "/organizations/default/settings/projects/default/", "/organizations/default/settings/members/", "/account/",
             "/organizations/default/issues/99999/"]
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for path in paths:
        response = requests.get(telltale.url + path, cookies=cookies, headers={"Accept": "text/html"}, timeout=10)
        assert response.status_code == (404 if path.endswith("99999/") else 200), path
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(response.text)  # raises on any parse error
    expect(page.locator("body")).to_be_visible()
    for width in (360, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths[:-1]:
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.tablewrap, .card'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))""")
            assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen: {wide}"
    page.goto("/organizations/default/issues/99999/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    # Keyboard: the first Tab reaches the skip link.
    page.goto("/organizations/default/issues/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    # "/" focuses the search box.
    page.keyboard.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"


def test_dark_theme_follows_the_system(browser, telltale):
    colors = []
    for scheme in ("light", "dark"):
        context = browser.new_context(base_url=telltale.url, color_scheme=scheme)
        tab = context.new_page()
        tab.goto("/login")
        colors.append(tab.evaluate("getComputedStyle(document.body).backgroundColor"))
        context.close()
    assert colors[0] != colors[1], colors
