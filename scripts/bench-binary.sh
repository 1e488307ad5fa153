# Sourced by the benchmark scripts: sets BIN to the Telltale binary to measure, either
# TELLTALE_BENCH_BIN (to compare two builds without rebuilding) or a fresh release build,
# and defines free_port (an unused TCP port on 127.0.0.1).
if [ -n "${TELLTALE_BENCH_BIN:-}" ]; then
    BIN=$(realpath "$TELLTALE_BENCH_BIN")
else
    swift build -c release --product telltale >/dev/null
    BIN="$(swift build -c release --show-bin-path)/telltale"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
