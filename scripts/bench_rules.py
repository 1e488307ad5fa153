"""Replaces a fresh Telltale's default alert rules with N benchmark rules, a mix of what
teams write: new issues and regressions with filters, frequency and error-rate thresholds
(each needs counts read per event), level and severity rules, tag filters. They notify the
owners in-app, so no receiver is needed.
    python3 scripts/bench_rules.py PORT TOKEN N"""
import http.client
import json
import sys

port, token, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}


def call(method, path, body=None):
    conn.request(method, "/api/0/" + path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    data = response.read()
    assert response.status < 300, (method, path, response.status, data)
    return json.loads(data) if data else None


for rule in call("GET", "organizations/default/alert-rules/"):
    call("DELETE", f"alert-rules/{rule['id']}/")
owners = [{"type": "notify", "roles": ["owner"]}]
for i in range(count):
    kind = i % 5
    if kind == 0:
        rule = {"conditions": [{"type": "new_issue"}, {"type": "regression"}],
                "filters": [{"type": "level", "at_least": "error"}, {"type": "tag", "key": "team", "value": f"team-{i}"}]}
    elif kind == 1:
        rule = {"conditions": [{"type": "frequency", "count": 100000, "window_seconds": 300}],
                "filters": [{"type": "environment", "values": ["production", f"region-{i}"]}]}
    elif kind == 2:
        rule = {"conditions": [{"type": "error_rate", "per_minute": 1000000}]}
    elif kind == 3:
        rule = {"conditions": [{"type": "level", "at_least": "fatal"}], "filters": [{"type": "release", "values": [f"app@{i}.0"]}]}
    else:
        rule = {"conditions": [{"type": "user_frequency", "count": 100000, "window_seconds": 3600}, {"type": "new_issue"}], "match": "all"}
    call("POST", "organizations/default/alert-rules/", dict(rule, name=f"bench rule {i}", actions=owners, action_interval_seconds=300))
print(f"==> {count} alert rules (default rules removed)")
