#!/usr/bin/env bash
# Runs Telltale from source on embedded SQLite with no configuration: installs the Debian
# packages the build needs (when run as root; otherwise says which), builds, and starts
# `telltale serve` in this folder (data in ./telltale-data). Arguments go to `telltale`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
ensure_packages build
swift build --product telltale
exec "$(swift build --show-bin-path)/telltale" "$@"
