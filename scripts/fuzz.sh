#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read outside bytes (libFuzzer through
# `swiftc -sanitize=fuzzer`, linked with lld: gold fails on it). Each target runs for SECONDS (default 600) on its kept corpus
# under Tests/Fuzz/<target>/; new inputs that reach new code are merged back into it, and a
# crash is written to Tests/Fuzz/<target>/crashes/ (make it a regression test, then delete it).
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]     targets: envelope json decompression
#                                              search-query crontab form sentry-auth
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(envelope json decompression search-query crontab form sentry-auth)

build=.build/fuzz
TELLTALE_FUZZ=1 swift build -c release --build-path "$build" --product telltale-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >&2
binary="$build/release/telltale-fuzz"

for target in "${targets[@]}"; do
    folder="Tests/Fuzz/$target"
    mkdir -p "$folder/corpus" "$folder/seeds" "$folder/crashes"
    work="$(mktemp -d)"
    echo "== $target: ${seconds}s" >&2
    # New inputs go to a scratch folder first; the merge keeps only those that add coverage.
    TELLTALE_FUZZ_TARGET="$target" "$binary" "$work" "$folder/corpus" "$folder/seeds" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$folder/crashes/" -print_final_stats=1 2>"$work.log" || status=$?
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ *DONE|ERROR|SUMMARY" "$work.log" | sed "s/^/$target: /" || true
    if [ "${status:-0}" -ne 0 ]; then
        echo "$target: libFuzzer exited $status; the log is $work.log and the input is in $folder/crashes/" >&2
        exit "$status"
    fi
    TELLTALE_FUZZ_TARGET="$target" "$binary" -merge=1 "$folder/corpus" "$work" >/dev/null 2>&1
    echo "$target: corpus $(ls "$folder/corpus" | wc -l) inputs" >&2
    rm -rf "$work" "$work.log"
done
