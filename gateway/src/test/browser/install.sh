#!/usr/bin/env bash
# Installs what DashboardBrowserTest needs: Debian's chromium and playwright-core (no browser
# download: Playwright drives the system chromium). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install.sh: need root to apt-get install chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if [[ ! -d node_modules/playwright-core ]]; then
  npm ci --no-audit --no-fund --silent
fi
