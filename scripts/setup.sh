#!/usr/bin/env bash
# Installs everything Folio needs on Debian (as root, or with sudo): the system packages
# (Chromium, poppler-utils, qpdf, Ghostscript, mupdf-tools for preflight's ink check, Java + epubcheck; strace
# for the offline test) and the pinned npm packages. argyll and icc-profiles-free only rebuild the FOGRA39
# profile (scripts/press/make-icc.sh).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium poppler-utils qpdf ghostscript mupdf-tools epubcheck strace)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Puppeteer must not download a browser (Folio drives Debian's Chromium); npm ci installs the lock file exactly.
# In an installed copy of the package (no lock file: npm installed its dependencies) only the system part runs.
export PUPPETEER_SKIP_DOWNLOAD=1
if [ -f package-lock.json ] &&
  { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ready ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
