#!/usr/bin/env bash
# Installs Debian's Chromium (for the browser tests: Playwright's playwright-core drives
# /usr/bin/chromium, never a downloaded browser) when it is missing. Needs root and Debian's
# package sources; does nothing when /usr/bin/chromium is there. Exit 0 either way when Chromium
# ends up installed; 1 with a message when it cannot be.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
  echo "ensure-chromium: apt-get install chromium failed" >&2
  exit 1
fi
[ -x /usr/bin/chromium ]
