#!/usr/bin/env bash
# Browser test of the dashboard. Usage: run.sh [--test SCRIPT.mjs] ARGS...
# (default dashboard_test.mjs MDHUB_BINARY SCREENSHOT.png; fx_test.mjs [--mdhub MDHUB_BINARY])
# Installs playwright-core from the lock file on first use, then drives Debian's Chromium.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
script=dashboard_test.mjs
if [ "${1:-}" = --test ]; then
  script="$2"
  shift 2
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "browser test skipped: $tool is not installed (tools/setup --test)" >&2
    exit 77
  fi
done
if [ ! -x "${MDHUB_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "browser test skipped: ${MDHUB_CHROMIUM:-/usr/bin/chromium} is not installed (tools/setup --test)" >&2
  exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi
exec node "$here/$script" "$@"
