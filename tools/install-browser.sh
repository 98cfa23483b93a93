#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/ui); idempotent. Playwright drives it via
# executable_path; `playwright install` (a download) is never used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-browser: /usr/bin/chromium is missing; run as root: apt-get install chromium" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
