"""A stand-in for Datadog, New Relic and webhook intakes during the ingest benchmark: answers
202 to every POST on 127.0.0.1 and counts the events in the bodies it receives, writing the
count to the file named by its second argument after each request."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, COUNT_FILE = int(sys.argv[1]), sys.argv[2]
received = 0


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        global received
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"null")
        if isinstance(body, list) and body and isinstance(body[0], dict) and "logs" in body[0]:
            received += len(body[0]["logs"])  # New Relic
        elif isinstance(body, list):
            received += len(body)  # Datadog
        elif isinstance(body, dict):
            received += len(body.get("events", []))  # webhook
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        with open(COUNT_FILE, "w") as out:
            out.write(str(received))

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Sink).serve_forever()
