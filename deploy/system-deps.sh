#!/usr/bin/env sh
# Install the Debian packages the test suite drives, when they are missing: `make test` calls
# this, so a machine with only Python 3.11 and make can run the whole suite.
#   chromium        browser tests (Playwright drives the system browser; never `playwright install`)
#   caddy           the proxy in front of gunicorn (Caddyfile validation, abuse and cluster tests)
#   docker-compose  validates docker-compose.yml (no engine is needed for `config -q`)
#   redis-server    the shared cache of the multi-node tests
#   npm             axe-core and the HTML checker (vnu-jar) from package.json
#   java            runs vnu-jar
set -eu
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need chromium chromium
need caddy caddy
need docker-compose docker-compose
need redis-server redis-server
need npm npm
need java default-jre-headless
[ -z "$missing" ] && exit 0
echo "Installing from Debian:$missing" >&2
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
