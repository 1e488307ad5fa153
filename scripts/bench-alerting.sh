#!/usr/bin/env bash
# Alerting benchmark: ingest with no alert rules and with 100 rules, in pairs
# (scripts/bench-paired.sh), then the time from an event's commit to the webhook receiver's
# receipt.
#   scripts/bench-alerting.sh [rounds=3] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product telltale >/dev/null
BIN="$(swift build -c release --show-bin-path)/telltale"
TELLTALE_BENCH_BIN="$BIN" scripts/bench-paired.sh TELLTALE_BENCH_RULES 100 "${1:-3}" "${2:-10}"
python3 scripts/bench_alert_latency.py "$BIN" 300 10
