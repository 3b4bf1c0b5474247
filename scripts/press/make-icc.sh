#!/usr/bin/env bash
# Rebuilds profiles/FOGRA39L-folio.icc, the OutputIntent profile of Folio's PDF/X, from Fogra's
# characterisation data FOGRA39L.ti3 (Debian icc-profiles-free) with ArgyllCMS colprof (Debian argyll).
# The profile is committed; this script documents and reproduces how it was made. The ICC header
# carries the creation time, so a rebuilt profile differs from the committed one in those bytes only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ti3=/usr/share/color/icc/FOGRA39L.ti3
command -v colprof >/dev/null && [ -f "$ti3" ] || {
  echo "make-icc: needs Debian packages argyll and icc-profiles-free (apt-get install argyll icc-profiles-free)" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$ti3" "$work/FOGRA39L.ti3"
# -qm medium quality, -kr black generation ramp, -l300 total ink limit 300 % (press.maxInk's default),
# -L100 black limit, -nc without the measurement data inside the profile
(cd "$work" && colprof -qm -kr -l300 -L100 -nc \
  -A "Fogra (characterization data)" -M "FOGRA39L" \
  -D "Coated FOGRA39 (ISO 12647-2:2004), 300% TAC - Folio, ArgyllCMS colprof" \
  -C "Data FOGRA39L.ti3: Fogra, Debian icc-profiles-free (Zlib). Profile made with ArgyllCMS colprof." \
  FOGRA39L)
cp "$work/FOGRA39L.icc" profiles/FOGRA39L-folio.icc
echo "make-icc: wrote profiles/FOGRA39L-folio.icc ($(stat -c %s profiles/FOGRA39L-folio.icc) bytes)"
