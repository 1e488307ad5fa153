#!/usr/bin/env bash
# Alerting benchmark: ingest with no alert rules and with 100 rules, interleaved (the host's
# speed drifts, so each pair runs back to back), then the time from an event's commit to the
# webhook receiver's receipt.
#   scripts/bench-alerting.sh [rounds=3] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_RUN=${2:-10}
swift build -c release --product telltale >/dev/null
BIN="$(swift build -c release --show-bin-path)/telltale"
declare -a WITHOUT WITH PAIRS
for round in $(seq 1 "$ROUNDS"); do
    for rules in 0 100; do
        OUT=$(TELLTALE_BENCH_BIN="$BIN" TELLTALE_BENCH_RULES=$rules scripts/bench-ingest.sh 32 "$SECONDS_RUN")
        RATE=$(echo "$OUT" | sed -n 's/^accepted_events_per_s=//p')
        echo "round $round, $rules rules: $RATE events/s $(echo "$OUT" | grep -E 'caught_up' || true)"
        if [ "$rules" = 0 ]; then WITHOUT+=("$RATE"); else WITH+=("$RATE"); fi
    done
    PAIRS+=("$(awk -v a="${WITHOUT[-1]}" -v b="${WITH[-1]}" 'BEGIN {printf "%.1f", (b - a) / a * 100}')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
A=$(median "${WITHOUT[@]}"); B=$(median "${WITH[@]}")
echo "ingest_median_without_rules=$A ingest_median_with_100_rules=$B change_percent=$(awk -v a="$A" -v b="$B" 'BEGIN {printf "%.1f", (b - a) / a * 100}')"
# Each pair runs back to back, so its change is free of the host's drift between pairs.
echo "pair_changes_percent=${PAIRS[*]} median_pair_change_percent=$(median "${PAIRS[@]}")"
python3 scripts/bench_alert_latency.py "$BIN" 300 10
