"""Hardening seen from outside the process: stalled and idle connections are closed, and a
sign-in redirect never leaves the site."""
import socket
import time

import requests

from conftest import Server


def test_half_sent_and_idle_connections_are_closed(workdir, base_env):
    base_env["TELLTALE_HTTP_IDLE_TIMEOUT"] = "2"
    server = Server(workdir, base_env).start()
    try:
        half = socket.create_connection(("127.0.0.1", server.port))
        half.sendall(b"POST /api/1/envelope/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{\"partial\":")
        idle = socket.create_connection(("127.0.0.1", server.port))
        for sock in (half, idle):
            sock.settimeout(10)
        started = time.time()
        # The server closes both: recv returns b"" (or the connection is reset) well before 10 s.
        for sock in (half, idle):
            try:
                while sock.recv(4096):
                    pass
            except ConnectionResetError:
                pass
        elapsed = time.time() - started
        assert 1.5 <= elapsed < 8, elapsed
        # The server still answers new connections.
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
    finally:
        server.stop()
