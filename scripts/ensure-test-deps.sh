#!/usr/bin/env bash
# Installs the system programs the test suite runs for real, when they are missing:
#   redis-server  (scale-out tests: two server instances over Redis pub/sub)
#   chromium      (browser tests of the generated client, driven by playwright-core)
# Uses apt-get (Debian/Ubuntu; needs root or sudo). Does nothing when both are present.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test deps: redis-server and chromium are installed"
  exit 0
fi

echo "test deps: installing ${missing[*]} with apt-get (needed by the end-to-end tests)"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "test deps: not root and no sudo: install ${missing[*]} yourself (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test deps: installed ${missing[*]}"
