#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, and only those that are missing.
#
#   .ci/install-system-deps.sh                 # required packages
#   .ci/install-system-deps.sh --with-browser  # also chromium, for browser tests
#
# Required (exit status 1 if one cannot be installed):
#   docker-compose  Debian's v1 tool; the tests use it only to validate docker-compose.yml,
#                   so no container engine is needed.
#   nodejs, npm     run Neo4j's own Cypher parser (npm @neo4j-cypher/language-support) over
#                   every statement we send; a node already on PATH is used as it is.
# Optional (a failure is reported and the script carries on):
#   chromium        headless browser for page tests; large, hence behind --with-browser.
#
# Safe to run repeatedly: installed packages are skipped and `apt-get update` runs at most
# once, and only when something has to be installed.
set -euo pipefail

REQUIRED_PACKAGES=(docker-compose nodejs npm)
BROWSER_PACKAGES=(chromium)

with_browser=false
apt_lists_refreshed=false
missing_required=()

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

log() {
    printf 'install-system-deps: %s\n' "$*" >&2
}

package_is_installed() {
    dpkg-query --show --showformat='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

# A command already on PATH (a pip-installed docker-compose, a browser installed another way)
# serves the tests as well as the Debian package does.
command_for_package() {
    case "$1" in
        docker-compose) echo docker-compose ;;
        nodejs) echo node ;;
        chromium) echo chromium ;;
        *) echo "$1" ;;
    esac
}

is_satisfied() {
    package_is_installed "$1" || command -v "$(command_for_package "$1")" >/dev/null 2>&1
}

run_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "not root and no sudo: cannot run '$*'"
        return 1
    fi
}

refresh_apt_lists_once() {
    if [ "$apt_lists_refreshed" = true ]; then
        return 0
    fi
    log "apt-get update"
    if run_as_root apt-get update -qq >&2; then
        apt_lists_refreshed=true
        return 0
    fi
    log "apt-get update failed; trying with the package lists already on this machine"
    apt_lists_refreshed=true
}

# Returns non-zero when the package is still missing afterwards; never exits the script.
install_package() {
    local package="$1"
    if is_satisfied "$package"; then
        log "$package: already installed"
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        log "$package: missing, and this is not a Debian-like system (no apt-get); install it by hand"
        return 1
    fi
    refresh_apt_lists_once
    log "$package: installing"
    if run_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$package" >&2; then
        log "$package: installed"
        return 0
    fi
    log "$package: could not be installed"
    return 1
}

parse_arguments() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --with-browser) with_browser=true ;;
            -h | --help) usage; exit 0 ;;
            *) log "unknown argument: $1"; usage >&2; exit 2 ;;
        esac
        shift
    done
}

install_required() {
    local package
    for package in "${REQUIRED_PACKAGES[@]}"; do
        install_package "$package" || missing_required+=("$package")
    done
}

install_browser() {
    local package
    for package in "${BROWSER_PACKAGES[@]}"; do
        install_package "$package" \
            || log "$package: optional, skipped; the browser tests will be skipped without it"
    done
}

main() {
    parse_arguments "$@"
    install_required
    if [ "$with_browser" = true ]; then
        install_browser
    fi
    if [ ${#missing_required[@]} -gt 0 ]; then
        log "required packages missing: ${missing_required[*]}"
        exit 1
    fi
    log "done"
}

main "$@"
