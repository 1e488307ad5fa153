#!/usr/bin/env bash
# Builds a release tarball that runs on a Debian/Ubuntu machine without Swift: the Swift
# runtime is linked into the binary (--static-swift-stdlib); it needs only the base C
# libraries plus zlib, zstd and brotli. Writes dist/telltale-<version>-linux-<arch>.tar.gz
# with the binary, the README and a systemd unit example.
#   scripts/package.sh [version]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
ensure_packages package
VERSION=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
ARCH=$(uname -m)
NAME="telltale-$VERSION-linux-$ARCH"
echo "==> Release build with the Swift runtime linked statically"
swift build -c release --product telltale --static-swift-stdlib
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/telltale"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$NAME"
cp "$BIN" "$STAGE/$NAME/telltale"
strip "$STAGE/$NAME/telltale" 2>/dev/null || true
cp README.md "$STAGE/$NAME/"
cp packaging/telltale.service "$STAGE/$NAME/"
mkdir -p dist
tar -C "$STAGE" -czf "dist/$NAME.tar.gz" "$NAME"
ln -sf "$NAME.tar.gz" dist/telltale-linux-$ARCH.tar.gz
echo "==> dist/$NAME.tar.gz ($(du -h "dist/$NAME.tar.gz" | cut -f1))"
