"""User reports end to end in Chromium: a shop page on its own origin loads Telltale's browser
script and the feedback widget, throws an error, and a customer files a report through the
widget with a screenshot. The report lands in the queue linked to that error's issue, is
triaged and resolved in the dashboard, and the customer gets the resolution by email (a real
local SMTP server); HTML typed into the report stays text everywhere. Axe and screenshots at
390 and 1440 px on the queue and the report."""
import pytest
import requests
from axe_playwright_python.sync_playwright import Axe

from conftest import Server, Site, cli, wait_until
from mail import MailServer
from test_accessibility import check
from test_dashboard import PASSWORD, browser, sign_in  # noqa: F401 (fixtures)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="{telltale}/js/telltale.js" data-dsn="{dsn}" data-release="shop@1.0.0"></script>
<script src="{telltale}/js/telltale-feedback.js" data-dsn="{dsn}" data-reporter-type="customer" data-name="Ana" data-email="ana@example.com"></script>
</head><body><main><h1>Checkout</h1><button id="pay">Pay</button></main>
<script src="/page.js"></script></body></html>"""

SCRIPT = """document.getElementById("pay").addEventListener("click", function () {
  setTimeout(function () { throw new TypeError("payment gateway answered nothing"); }, 0);
});"""


@pytest.fixture
def shop(workdir, base_env):
    with MailServer("plain") as mail:
        env = dict(base_env, TELLTALE_ADMIN_PASSWORD=PASSWORD, TELLTALE_SMTP_URL=mail.url(), TELLTALE_SMTP_FROM="Telltale <support@telltale.test>")
        server = Server(workdir, env).start()
        session = requests.Session()
        created = cli(server.workdir, server.env, "token", "create", "--user", "admin@telltale.local", "--name", "reports",
                      "--scopes", "project:write event:write")
        session.headers["Authorization"] = "Bearer " + created.stdout.split("Secret (shown only now): ")[1].split()[0]
        page = PAGE.format(telltale=server.url, dsn=server.dsn()).encode()
        site = Site({"/checkout": ("text/html", page), "/page.js": ("text/javascript", SCRIPT.encode())})
        yield server, session, site, mail
        site.close()
        server.stop()


def test_a_report_filed_from_the_widget_reaches_the_queue_linked_to_its_error(shop, browser, tmp_path):  # noqa: F811
    server, api, site, mail = shop
    base = server.url + "/api/0/organizations/default"
    rule = api.post(base + "/alert-rules/", json={"name": "New user reports", "conditions": [{"type": "user_report"}],
                                                  "actions": [{"type": "notify", "roles": ["owner"]}]})
    assert rule.status_code == 201, rule.text

    context = browser.new_context()
    shop_tab = context.new_page()
    shop_tab.set_default_timeout(15_000)
    shop_tab.goto(site.url + "/checkout")
    shop_tab.get_by_role("button", name="Pay").click()
    issues = lambda: api.get(server.url + "/api/0/projects/default/default/issues/").json()  # noqa: E731
    wait_until(lambda: any(i["title"].startswith("TypeError") for i in issues()), what="the page's error as an issue")
    issue = next(i for i in issues() if i["title"].startswith("TypeError"))

    # The customer files a report through the widget, with a screenshot of the page.
    shot = tmp_path / "checkout.png"
    shop_tab.screenshot(path=str(shot))
    shop_tab.get_by_role("button", name="Report a problem").click()
    dialog = shop_tab.get_by_role("dialog", name="Report a problem")
    dialog.get_by_label("Priority").select_option("high")
    dialog.get_by_label("Title").fill("<b>Pay</b> does nothing")
    dialog.get_by_label("What happened?").fill("I pressed Pay and nothing happened <script>alert(1)</script>")
    dialog.get_by_label("Steps to reproduce").fill("1. Open checkout\n2. Press Pay")
    dialog.get_by_label("Screenshots").set_input_files(str(shot))
    dialog.get_by_role("button", name="Send report").click()
    status = dialog.get_by_role("status")
    status.filter(has_text="Thank you").wait_for()
    assert dialog.get_by_label("Email for a reply").input_value() == "ana@example.com"
    context.close()

    reports = api.get(base + "/user-reports/").json()
    assert len(reports) == 1, reports
    report = reports[0]
    assert report["issue"] == issue["id"] and report["priority"] == "high" and report["reporter_type"] == "customer", report
    assert report["url"] == site.url + "/checkout" and "Chrome" in report["browser"] and report["email"] == "ana@example.com"
    assert len(report["screenshots"]) == 1 and report["screenshots"][0]["content_type"] == "image/png"
    assert report["title"] == "<b>Pay</b> does nothing"

    # The rule on new reports alerts with the report's priority.
    def alerted():
        return [a for a in api.get(base + "/alerts/").json()["alerts"] if "does nothing" in a["title"]]
    wait_until(lambda: alerted(), timeout=30, what="the new-report alert")
    assert alerted()[0]["severity"] == "high" and alerted()[0]["link"].endswith(f"/user-reports/{report['id']}/")

    axe, failures = Axe(), []
    context = browser.new_context(base_url=server.url, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    sign_in(tab)
    tab.goto("/organizations/default/")
    assert "Open user reports" in tab.locator("dl.figures").inner_text()
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    row = tab.locator("tr", has_text="does nothing")
    assert "<b>Pay</b> does nothing" in row.inner_text() and "linked issue" in row.inner_text() and "high" in row.inner_text()
    check(tab, "user-reports", "light", axe, failures)
    row.get_by_role("link", name="<b>Pay</b> does nothing").click()
    assert tab.locator("h1").inner_text() == "<b>Pay</b> does nothing"
    assert "<script>alert(1)</script>" in tab.locator("main").inner_text()
    image = tab.get_by_role("img", name="Screenshot 1 of the report: checkout.png")
    image.wait_for()
    assert tab.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    check(tab, "user-report", "light", axe, failures)

    # The issue shows its report; resolving the report emails Ana the note.
    tab.get_by_role("link", name="Open the linked issue").click()
    assert "<b>Pay</b> does nothing" in tab.locator("section", has_text="User reports").inner_text()
    tab.go_back()
    triage = tab.locator("form", has=tab.get_by_role("button", name="Save"))
    triage.get_by_label("Status").select_option("resolved")
    triage.get_by_label("Resolution note").fill("Fixed in 1.0.1 <i>thanks</i>")
    triage.get_by_role("button", name="Save").click()
    assert "resolved" in tab.locator("main .badge").first.inner_text()
    # (The owner got the new-report alert by email too.)
    wait_until(lambda: any(m[1] == ["ana@example.com"] for m in mail.recorder.messages), what="the reply to the reporter")
    message = next(m[2] for m in mail.recorder.messages if m[1] == ["ana@example.com"])
    assert message["Subject"] == "Resolved: <b>Pay</b> does nothing"
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Pay&lt;/b&gt;" in html and "Fixed in 1.0.1 &lt;i&gt;thanks&lt;/i&gt;" in html and "<script>" not in html
    assert "Fixed in 1.0.1 <i>thanks</i>" in message.get_body(("plain",)).get_content()
    assert api.get(base + "/user-reports/?status=resolved").json()[0]["resolution"] == "Fixed in 1.0.1 <i>thanks</i>"
    context.close()
    assert not failures, "\n".join(failures)
