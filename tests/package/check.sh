#!/usr/bin/env bash
# Checks the release tarball from scripts/package.sh: the binary links only Debian's base C
# libraries plus zlib, zstd and brotli (no Swift runtime), and it starts from the unpacked
# tarball in an empty folder, creating its database and printing a DSN.
set -euo pipefail
cd "$(dirname "$0")/../.."
TARBALL=$(ls -t dist/telltale-*-linux-*.tar.gz | grep -v 'telltale-linux-' | head -1)
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
tar -C "$WORK" -xzf "$TARBALL"
DIR=$(ls -d "$WORK"/telltale-*)
for file in telltale README.md telltale.service; do
    [ -f "$DIR/$file" ] || { echo "FAIL: $file is not in $TARBALL"; exit 1; }
done

echo "==> ldd $(basename "$TARBALL")/telltale"
ldd "$DIR/telltale" | tee "$WORK/ldd.txt"
allowed='^(linux-vdso|libc|libm|libdl|libpthread|librt|libutil|ld-linux[^ ]*|libgcc_s|libstdc\+\+|libz|libzstd|libbrotlidec|libbrotlienc|libbrotlicommon)\.so'
unexpected=$(awk '{print $1}' "$WORK/ldd.txt" | sed 's#.*/##' | grep -Ev "$allowed" || true)
if [ -n "$unexpected" ]; then
    echo "FAIL: the binary links libraries beyond the Debian base set and zlib/zstd/brotli:"
    echo "$unexpected"
    exit 1
fi
if grep -q "not found" "$WORK/ldd.txt"; then echo "FAIL: a library is missing"; exit 1; fi

echo "==> Starting the unpacked binary in an empty folder"
RUN="$WORK/run"
mkdir "$RUN"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$RUN" && exec env -i PATH=/usr/bin:/bin HOME="$RUN" TELLTALE_HTTP_PORT=$PORT "$DIR/telltale" serve > "$RUN/server.log" 2>&1) &
PID=$!
for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "FAIL: not ready"; cat "$RUN/server.log"; exit 1; }
grep -q "DSN:" "$RUN/server.log" || { echo "FAIL: no DSN printed"; cat "$RUN/server.log"; exit 1; }
[ -f "$RUN/telltale-data/telltale.db" ] || { echo "FAIL: no database created"; exit 1; }
echo "OK: the packaged binary starts in an empty folder and links only the allowed libraries"
