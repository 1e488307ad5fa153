#!/usr/bin/env bash
# Makes sure the Debian/Ubuntu packages a command needs are installed: installs the missing
# ones when run as root (or with passwordless sudo), otherwise prints the one `apt-get install`
# line to run and exits non-zero. Sourced by scripts/run.sh, scripts/test.sh and
# scripts/package.sh:   ensure_packages build|test|package
#
# build:   the Brotli, Zstandard and zlib headers the ingest path decodes bodies with, and pkg-config
# test:    build, plus PostgreSQL (server and psql), Python with venv, Chromium and a font for
#          the dashboard's browser tests, curl, openssl (the mail tests' certificates), and
#          nginx (the two-node failover test balances through it)
# package: build, plus file utilities the packaging test reads the binary with

packages_for() {
    local build=(libbrotli-dev libzstd-dev zlib1g-dev pkg-config)
    case "$1" in
        build) echo "${build[@]}" ;;
        test) echo "${build[@]}" postgresql postgresql-client python3 python3-venv chromium fonts-dejavu-core curl openssl nginx ;;
        package) echo "${build[@]}" ;;
        *) echo "unknown package set '$1'" >&2; return 2 ;;
    esac
}

ensure_packages() {
    local wanted missing=()
    wanted=$(packages_for "$1") || return 2
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "==> Not a Debian/Ubuntu system: make sure these (or your system's equivalents) are installed: $wanted"
        return 0
    fi
    for package in $wanted; do
        # PostgreSQL's server package is versioned on some releases; any installed server will do.
        # Commands that may come from elsewhere (a pyenv Python, another PostgreSQL) count too.
        case "$package" in
            postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && continue ;;
            postgresql-client) command -v psql >/dev/null 2>&1 && continue ;;
            python3) command -v python3 >/dev/null 2>&1 && continue ;;
            python3-venv) python3 -m venv --help >/dev/null 2>&1 && continue ;;
            chromium) command -v chromium >/dev/null 2>&1 && continue ;;
            curl) command -v curl >/dev/null 2>&1 && continue ;;
            nginx) command -v nginx >/dev/null 2>&1 && continue ;;
        esac
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local run=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            run=(sudo)
        else
            echo "!!! Missing system packages. Install them with:"
            echo "    sudo apt-get install -y ${missing[*]}"
            return 1
        fi
    fi
    echo "==> Installing ${missing[*]}"
    "${run[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}
