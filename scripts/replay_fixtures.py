#!/usr/bin/env python3
"""Replays the recorded Sentry SDK requests in ../shared/fixtures/sentry-python against a
running Telltale, rewriting only the project id and public key. Prints one line per request."""
import json
import os
import sys
import urllib.request

FIXTURES = os.environ.get("TELLTALE_FIXTURES", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures", "sentry-python"))


def fixtures():
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith(".request.json"):
            base = name[: -len(".request.json")]
            with open(os.path.join(FIXTURES, name)) as f:
                meta = json.load(f)
            with open(os.path.join(FIXTURES, base + ".body"), "rb") as f:
                body = f.read()
            yield base, meta, body


def send(url, project, key, meta, body):
    headers = {}
    for name, value in meta["headers"]:
        if name.lower() in ("host", "content-length"):
            continue
        if name.lower() == "x-sentry-auth":
            value = value.replace("sentry_key=publickey", f"sentry_key={key}")
        headers[name] = value
    request = urllib.request.Request(f"{url}/api/{project}/envelope/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


if __name__ == "__main__":
    dsn = sys.argv[1]  # http://KEY@HOST:PORT/PROJECT
    key, rest = dsn.split("://", 1)[1].split("@", 1)
    host, project = rest.rsplit("/", 1)
    for name, meta, body in fixtures():
        status, text = send("http://" + host, project, key, meta, body)
        print(f"{status} {name} {text[:100]}")
