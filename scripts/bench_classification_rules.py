"""Adds N classification rules to a fresh Telltale, a mix of what teams write: exception types,
messages, modules, endpoints, tags, levels, handled, several conditions each.
    python3 scripts/bench_classification_rules.py PORT TOKEN N"""
import http.client
import json
import sys

port, token, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
kinds = [
    lambda i: [{"type": "exception_type", "pattern": f"Error{i}|Timeout{i}"}],
    lambda i: [{"type": "message", "pattern": f"connection {i} refused"}, {"type": "level", "at_least": "error"}],
    lambda i: [{"type": "module", "pattern": f"app.service{i}"}],
    lambda i: [{"type": "transaction", "pattern": f"/api/v{i}/checkout"}, {"type": "handled", "value": False}],
    lambda i: [{"type": "tag", "key": "team", "value": f"team-{i}"}],
]
for i in range(count):
    rule = {"name": f"bench rule {i}", "position": i, "conditions": kinds[i % len(kinds)](i), "severity": "high", "category": "runtime"}
    conn.request("POST", "/api/0/organizations/default/classification-rules/", json.dumps(rule), headers)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 201, (response.status, body)
print(f"==> {count} classification rules")
