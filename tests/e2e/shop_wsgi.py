"""A small shop as a plain WSGI app (no framework), instrumented by the real sentry_sdk:
every request is a transaction named by its URL, each database query a `db` span. The menu
page loads its dishes one query at a time (an N+1 query, each query made slow on purpose by
a SQLite function); /boom raises. Serves a fixed number of requests on 127.0.0.1, then flushes.

    python shop_wsgi.py DSN RELEASE MENU_REQUESTS ORDER_REQUESTS BOOM_REQUESTS"""
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import sentry_sdk
from sentry_sdk.integrations.wsgi import SentryWsgiMiddleware

dsn, release, menus, orders, booms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sentry_sdk.init(dsn=dsn, release=release, environment="production", traces_sample_rate=1.0, send_default_pii=False)

db = sqlite3.connect(":memory:", check_same_thread=False)
db.create_function("pause", 1, lambda ms: time.sleep(ms / 1000) or 0)
db.execute("create table dishes (id integer primary key, menu_id integer, name text, price integer)")
for menu in range(1, 4):
    for n in range(8):
        db.execute("insert into dishes (menu_id, name, price) values (?, ?, ?)", (menu, f"dish {menu}-{n}", 10 + n))
lock = threading.Lock()


def query(sql, *args):
    with sentry_sdk.start_span(op="db", name=sql):
        with lock:
            return db.execute(sql, args).fetchall()


def app(environ, start_response):
    path = environ["PATH_INFO"]
    sentry_sdk.get_current_scope().set_transaction_name(path, source="url")
    if path.startswith("/menus/"):
        ids = query("select id from dishes where menu_id = ?", int(path.split("/")[2]))
        names = [query("select name, pause(12) from dishes where id = ?", dish)[0][0] for (dish,) in ids]
        body = ", ".join(names)
    elif path.startswith("/orders/"):
        body = str(query("select count(*) from dishes")[0][0])
    elif path == "/boom":
        raise KeyError("quantity")
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, SentryWsgiMiddleware(app), handler_class=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
for n in range(menus):
    urllib.request.urlopen(f"{base}/menus/{1 + n % 3}", timeout=10).read()
for n in range(orders):
    urllib.request.urlopen(f"{base}/orders/{1000 + n}", timeout=10).read()
for _ in range(booms):
    try:
        urllib.request.urlopen(f"{base}/boom", timeout=10).read()
    except urllib.error.HTTPError:
        pass
server.shutdown()
sentry_sdk.flush(timeout=10)
