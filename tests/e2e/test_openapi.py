"""The OpenAPI document against the live server: schemathesis generates requests for every
operation from /api/openapi.json and fails on any 5xx, undocumented status, wrong content type
or response that does not match its schema."""
import os
import re
import subprocess
import sys

import requests

from conftest import cli


def test_schemathesis_finds_no_server_error_or_schema_violation(server, workdir, base_env):
    created = cli(workdir, base_env, "token", "create", "--user", "admin@telltale.local", "--name", "schemathesis",
                  "--scopes", "org:admin project:admin event:admin member:admin")
    assert created.returncode == 0, created.stderr
    token = re.search(r"(tlt_\w+)", created.stdout).group(1)
    key = server.dsn().split("//")[1].split("@")[0]
    sent = requests.post(f"{server.url}/api/0/projects/default/default/errors/?sentry_key={key}", timeout=10,
                         json=[{"error_type": "ValueError", "message": "bad input", "tags": {"region": "eu"}},
                               {"error_type": "KeyError", "message": "missing"}])
    assert sent.status_code == 200, sent.text
    document = requests.get(server.url + "/api/openapi.json", timeout=10)
    assert document.status_code == 200 and document.json()["openapi"] == "3.1.0"

    # Real identifiers, so generated requests reach the handlers instead of stopping at 404.
    config = os.path.join(workdir, "schemathesis.toml")
    with open(config, "w") as f:
        f.write('[parameters]\n"path.org" = "default"\n"path.project" = "default"\n"path.id" = "1"\n"path.user" = "1"\n"path.key" = "1"\n')
    binary = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    run = subprocess.run(
        [binary, "--config-file", config, "run", server.url + "/api/openapi.json", "-H", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
         "--phases", "examples,coverage,fuzzing", "--max-examples", "25", "--workers", "2", "--seed", "1",
         # Revoking token 1 (the one this run uses) would leave every later request at 401.
         "--exclude-name", "DELETE /api/0/api-tokens/{id}/",
         # An event stream stays open for minutes: nothing a request-response check can wait for.
         "--exclude-name", "GET /api/0/organizations/{org}/live/"],
        cwd=workdir, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Request failed" not in server.output(), server.output()[-4000:]
