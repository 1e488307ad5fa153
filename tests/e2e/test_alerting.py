"""Alerting end to end: email over real SMTP servers (plain, STARTTLS with AUTH, implicit TLS),
signed webhooks, calendars that raise the severity on a peak-season Saturday, silences, retries,
and a `kill -9` during delivery that still delivers exactly once."""
import pytest
import requests

from conftest import Server
from mail import PASSWORD as SMTP_PASSWORD, MailServer
from test_dashboard import PASSWORD
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
