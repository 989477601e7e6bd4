#!/usr/bin/env bash
# Opens rendered HTML reports in headless Chromium and checks that no script from the
# data ran and that the charts are in the page. Run by .ci/run; needs `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin=target/debug/escape-report
[ -x "$bin" ] || cargo build --quiet

chrome() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$out/profile" "$@" 2>/dev/null
}

failed=0
for audience in sprint em board; do
  "$bin" render tests/fixtures/hostile.csv --period 2025-Q4 --audience "$audience" --format html -o "$out/hostile-$audience.html"
  "$bin" render samples/problems.csv --audience "$audience" --format html -o "$out/$audience.html"
  dom=$(chrome --dump-dom "file://$out/hostile-$audience.html")
  if grep -q "PWNED" <<<"$(grep -o '<title>[^<]*</title>' <<<"$dom")"; then
    echo "FAIL $audience: a script from the data ran"; failed=1
  fi
  if grep -q '<script' <<<"$dom"; then
    echo "FAIL $audience: a <script> element is in the page"; failed=1
  fi
  if grep -q '<img' <<<"$dom"; then
    echo "FAIL $audience: an <img> from the data is in the page"; failed=1
  fi
  sample=$(chrome --dump-dom "file://$out/$audience.html")
  charts=$(grep -o '<svg' <<<"$sample" | wc -l)
  if [ "$charts" -lt 1 ]; then
    echo "FAIL $audience: no chart in the page"; failed=1
  fi
  echo "html $audience: no script ran, $charts charts in the page"
done
if [ "$failed" -ne 0 ]; then
  exit 1
fi
