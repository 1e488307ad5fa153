"""The Swift client's example shop (Examples/Shop) next to a real Telltale: its errors arrive
with severity and business impact, its requests as transactions with database spans, its
circuit breaker's issue resolves itself, the same errors reach stand-ins for Sentry and
Datadog through forwarders, and /metrics counts them by severity."""
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from conftest import BIN, Server, cli, free_port, wait_until

EXAMPLE = os.environ.get("TELLTALE_EXAMPLE_BIN", os.path.join(os.path.dirname(BIN), "telltale-example-shop"))


class StandIn:
    """Records every POST (path, headers, body) and answers 200, like Sentry's and Datadog's intakes."""

    def __init__(self):
        self.received = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append((self.path, dict(self.headers), body.decode("utf-8", "replace")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, path):
        return [entry for entry in self.received if entry[0] == path]


def test_example_shop_end_to_end(workdir, base_env):
    assert os.path.exists(EXAMPLE), f"build the example first: swift build --product telltale-example-shop ({EXAMPLE})"
    server = Server(workdir, dict(base_env)).start()
    stand_in = StandIn()
    shop_log = open(os.path.join(workdir, "shop.log"), "w")
    shop = None
    try:
        created = cli(workdir, server.env, "token", "create", "--user", "admin@telltale.local", "--name", "example", "--scopes", "project:write event:write")
        api = requests.Session()
        api.headers["Authorization"] = "Bearer " + created.stdout.split("Secret (shown only now): ")[1].split()[0]
        project = server.url + "/api/0/projects/default/default"
        # The same errors go on to a stand-in for Sentry (its DSN points there) and for Datadog.
        for body in ({"type": "sentry", "config": {"dsn": f"http://upstreamkey0001@127.0.0.1:{stand_in.port}/9"}},
                     {"type": "datadog", "config": {"api_key": "dd-example-key", "url": f"http://127.0.0.1:{stand_in.port}/dd"},
                      "filters": {"min_level": "error"}}):
            response = api.post(project + "/forwarders/", json=body, timeout=10)
            assert response.status_code == 201, response.text

        port = free_port()
        shop = subprocess.Popen([os.path.abspath(EXAMPLE)], cwd=workdir, stdout=shop_log, stderr=subprocess.STDOUT,
                                env=dict(os.environ, TELLTALE_DSN=server.dsn(), PORT=str(port), SHOP_BREAKER_RESET_SECONDS="1"))
        base = f"http://127.0.0.1:{port}"

        def shop_up():
            try:
                return requests.get(base + "/products/1", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(shop_up, what="the example shop")
        for _ in range(3):
            assert requests.get(base + "/products", timeout=5).status_code == 200
        assert requests.post(base + "/checkout", json={"product": 1, "quantity": 2}, timeout=5).status_code == 201
        assert requests.post(base + "/checkout", json={"product": 3, "quantity": 1}, timeout=5).status_code == 409
        assert requests.get(base + "/boom", timeout=5).status_code == 500
        # The payment provider goes down: three failed checkouts open the breaker.
        assert requests.post(base + "/admin/payment-provider/down", timeout=5).status_code == 204
        for _ in range(4):
            assert requests.post(base + "/checkout", json={"product": 2, "quantity": 1}, timeout=5).status_code == 503
        assert requests.post(base + "/admin/payment-provider/up", timeout=5).status_code == 204
        # After its reset timeout the breaker lets a trial through, which succeeds and closes it.
        wait_until(lambda: requests.post(base + "/checkout", json={"product": 1, "quantity": 1}, timeout=5).status_code == 201,
                   what="a checkout after the provider recovered")

        def issues():
            listed = api.get(project + "/issues/?query=", timeout=10).json()
            by_title = {issue["title"]: issue for issue in listed}
            breaker = [i for t, i in by_title.items() if t.startswith("Circuit breaker payment-provider")]
            ready = (any("Unavailable" in t for t in by_title) and any("OutOfStock" in t for t in by_title)
                     and any("InventoryCorrupted" in t for t in by_title) and breaker and breaker[0]["status"] == "resolved")
            return by_title if ready else None

        by_title = wait_until(issues, what="the shop's issues, the breaker's resolved")
        payment = next(i for t, i in by_title.items() if "Unavailable" in t)
        assert payment["severity"] == "high" and payment["business_impact"] == "revenue_blocking", payment
        stock = next(i for t, i in by_title.items() if "OutOfStock" in t)
        assert stock["severity"] == "medium" and stock["business_impact"] == "experience_degrading", stock

        # Requests are transactions, with the SQLite queries as database spans (and the N+1 read of reviews).
        def transactions():
            rows = {row["name"]: row for row in api.get(project + "/performance/transactions/?statsPeriod=1h", timeout=10).json()}
            return rows if rows.get("GET /products", {}).get("count") == 3 else None

        rows = wait_until(transactions, what="the shop's transactions")
        assert "POST /checkout" in rows and "GET /products/{id}" in rows, rows.keys()
        spans = api.get(project + "/performance/spans/?op=db&statsPeriod=1h", timeout=10).json()
        reviews = [s for s in spans if s["description"] == "SELECT stars FROM reviews WHERE product_id = ?"]
        assert reviews and reviews[0]["count"] >= 9, spans

        # The same errors at the stand-ins.
        def forwarded():
            envelopes = stand_in.to("/api/9/envelope/")
            logs = [log for _, _, body in stand_in.to("/dd") for log in json.loads(body)]
            return (envelopes, logs) if any("Unavailable" in body for _, _, body in envelopes) and any(
                log.get("error", {}).get("kind", "").endswith("Unavailable") for log in logs) else None

        envelopes, logs = wait_until(forwarded, what="the errors at the Sentry and Datadog stand-ins")
        assert all("sentry_key=upstreamkey0001" in headers.get("X-Sentry-Auth", "") for _, headers, _ in envelopes)
        assert all(log["status"] in ("error", "critical") for log in logs), logs  # the filter kept errors only
        assert all(headers.get("DD-API-KEY") == "dd-example-key" for _, headers, _ in stand_in.to("/dd"))

        # Prometheus: errors by severity.
        def metrics():
            text = requests.get(server.url + "/metrics", timeout=10).text
            return text if 'severity="high"' in text and "telltale_events_total{" in text else None

        text = wait_until(metrics, what="error metrics")
        high = [line for line in text.splitlines() if line.startswith("telltale_events_total{") and 'severity="high"' in line]
        assert high and float(high[0].rsplit(" ", 1)[1]) >= 1, high
    finally:
        if shop:
            shop.terminate()
            shop.wait(timeout=30)
        shop_log.close()
        stand_in.server.shutdown()
        server.stop()
