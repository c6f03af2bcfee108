#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
# Where it cannot be installed, the browser tests skip with a reason (never on CI).
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "NOTE: /usr/bin/chromium is missing and cannot be installed without root; browser tests will skip."
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
echo "Installing Debian's chromium for the browser tests..."
if ! ( $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null ); then
  echo "NOTE: installing chromium failed; browser tests will skip."
fi
exit 0
