#!/usr/bin/env bash
# The ingest benchmark in pairs, without and with a setting, back to back (the host's speed
# drifts, so each pair's change is the figure to trust); prints each run, the medians, each
# pair's change and their median.
#   scripts/bench-paired.sh VARIABLE VALUE [rounds=5] [seconds=10]
# e.g. scripts/bench-paired.sh TELLTALE_BENCH_CLASSIFICATION_RULES 50; an unused variable
# (TELLTALE_BENCH_NOTHING 1) runs two identical servers and shows the host's noise.
# TELLTALE_BENCH_BASELINE_BIN=path runs the "without" side on that binary (an earlier build)
# instead: a code change measured before and after, e.g. with TELLTALE_BENCH_NOTHING 1.
set -euo pipefail
cd "$(dirname "$0")/.."
VARIABLE=$1
VALUE=$2
ROUNDS=${3:-5}
SECONDS_RUN=${4:-10}
if [ -z "${TELLTALE_BENCH_BIN:-}" ]; then
    swift build -c release --product telltale >/dev/null
    TELLTALE_BENCH_BIN="$(swift build -c release --show-bin-path)/telltale"
fi
declare -a WITHOUT WITH PAIRS CPU_WITHOUT CPU_WITH
for round in $(seq 1 "$ROUNDS"); do
    for side in without with; do
        setting=0
        if [ "$side" = with ]; then setting=$VALUE; fi
        BIN_USED=$TELLTALE_BENCH_BIN
        if [ "$side" = without ] && [ -n "${TELLTALE_BENCH_BASELINE_BIN:-}" ]; then BIN_USED=$TELLTALE_BENCH_BASELINE_BIN; fi
        OUT=$(env "$VARIABLE=$setting" TELLTALE_BENCH_BIN="$BIN_USED" scripts/bench-ingest.sh 32 "$SECONDS_RUN")
        RATE=$(echo "$OUT" | sed -n 's/^accepted_events_per_s=//p')
        CPU=$(echo "$OUT" | sed -n 's/^server_cpu_us_per_event=//p')
        P99=$(echo "$OUT" | sed -n 's/.*latency_p99_ms=\([0-9.]*\).*/\1/p')
        echo "round $round, $VARIABLE=$setting: $RATE events/s, $CPU us CPU/event, p99 ${P99:-?} ms $(echo "$OUT" | grep -E 'caught_up' || true)"
        if [ "$side" = without ]; then WITHOUT+=("$RATE"); CPU_WITHOUT+=("$CPU"); else WITH+=("$RATE"); CPU_WITH+=("$CPU"); fi
    done
    PAIRS+=("$(awk -v a="${WITHOUT[-1]}" -v b="${WITH[-1]}" 'BEGIN {printf "%.1f", (b - a) / a * 100}')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
A=$(median "${WITHOUT[@]}"); B=$(median "${WITH[@]}")
echo "ingest_median_without=$A ingest_median_with=$B change_percent=$(awk -v a="$A" -v b="$B" 'BEGIN {printf "%.1f", (b - a) / a * 100}')"
echo "pair_changes_percent=${PAIRS[*]} median_pair_change_percent=$(median "${PAIRS[@]}")"
echo "cpu_us_per_event_median_without=$(median "${CPU_WITHOUT[@]}") cpu_us_per_event_median_with=$(median "${CPU_WITH[@]}")"
