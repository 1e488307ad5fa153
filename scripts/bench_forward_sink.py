"""A stand-in for Datadog, New Relic and webhook intakes during the ingest benchmark: answers
202 to every POST on 127.0.0.1 and counts the events by each request's X-Telltale-Events header
(without parsing the bodies, so the sink takes little of the CPU the server is measured on),
writing the count to the file named by its second argument after each request."""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, COUNT_FILE = int(sys.argv[1]), sys.argv[2]
received = 0
# Requests arrive on several threads at once: the count and the file change under one lock,
# or two requests could each add to the same old count (or write their counts out of order).
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        global received
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            received += int(self.headers.get("X-Telltale-Events", "0"))
            with open(COUNT_FILE, "w") as out:
                out.write(str(received))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Sink).serve_forever()
