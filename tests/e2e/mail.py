"""Real local SMTP servers (aiosmtpd) for the alerting tests: plain, STARTTLS with AUTH, and
implicit TLS, each recording the messages it accepted."""
import email
import email.policy
import os
import ssl
import subprocess
import tempfile
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import free_port

USER, PASSWORD = "alerts", "s3cret-smtp"


def certificate(directory):
    """A self-signed certificate for localhost and 127.0.0.1; the CA file is the certificate."""
    cert, key = os.path.join(directory, "smtp.pem"), os.path.join(directory, "smtp.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


class Recorder:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  email.message_from_bytes(envelope.content, policy=email.policy.default), session.authenticated))
        return "250 Message accepted"

    def wait(self, count=1, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} of {count} emails arrived")


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class MailServer:
    """`mode` is `plain`, `starttls` (requires STARTTLS and AUTH) or `tls` (implicit TLS)."""

    def __init__(self, mode, directory=None):
        self.mode = mode
        self.port = free_port()
        self.recorder = Recorder()
        self.directory = directory or tempfile.mkdtemp(prefix="smtp-")
        self.ca_file = None
        kwargs = {}
        if mode != "plain":
            cert, key = certificate(self.directory)
            self.ca_file = cert
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            if mode == "starttls":
                kwargs = dict(tls_context=context, require_starttls=True, authenticator=authenticate, auth_required=True)
            else:
                kwargs = dict(ssl_context=context, authenticator=authenticate, auth_required=True, auth_require_tls=False)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def url(self):
        if self.mode == "plain":
            return f"smtp://127.0.0.1:{self.port}"
        if self.mode == "starttls":
            return f"smtp://{USER}:{PASSWORD}@localhost:{self.port}?starttls=true&ca_file={self.ca_file}"
        return f"smtps://{USER}:{PASSWORD}@127.0.0.1:{self.port}?ca_file={self.ca_file}"
