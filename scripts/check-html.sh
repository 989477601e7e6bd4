#!/usr/bin/env bash
# Opens rendered HTML reports in headless Chromium and checks that no script from the
# data ran, that the charts are in the page, and that nothing scrolls sideways on a
# phone, a long unbroken token in a title included. Run by .ci/run; needs `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin=target/debug/escape-report
[ -x "$bin" ] || cargo build --quiet

# Headless Chromium now and then dies of a signal on a page it opens fine the next time
# (a segmentation fault ended one CI run); such a death is retried, twice at most, and
# said on stderr. Any other failure, and a third death, fails the check.
chrome() {
  local attempt page rc
  for attempt in 1 2 3; do
    rc=0
    page=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
      --no-first-run --disable-background-networking --disable-component-update \
      --disable-sync --disable-dev-shm-usage --user-data-dir="$out/profile-$attempt" \
      "$@" 2>/dev/null) || rc=$?
    if [ "$rc" -eq 0 ]; then
      printf '%s\n' "$page"
      return 0
    fi
    echo "chromium exited with $rc (attempt $attempt of 3): ${*: -1}" >&2
    # 124 is timeout's own exit; 128+N is a death by signal N.
    if [ "$rc" -le 128 ] || [ "$attempt" -eq 3 ]; then
      return "$rc"
    fi
  done
}

# How wide a page lays out on a screen `width` CSS pixels wide, as "scrollWidth/viewport".
# The screen is an iframe: a headless window is never narrower than 500 pixels.
page_width() {
  local html=$1 width=$2 dir
  dir=$(mktemp -d -p "$out")
  cp "$html" "$dir/page.html"
  printf '%s' '<script>parent.postMessage(document.documentElement.scrollWidth + "/" + innerWidth, "*")</script>' >>"$dir/page.html"
  printf '%s\n' '<!doctype html><title>unmeasured</title>' \
    "<iframe src=\"page.html\" style=\"width:${width}px;height:900px;border:0\"></iframe>" \
    '<script>addEventListener("message", e => { document.title = "measured " + e.data; });</script>' \
    >"$dir/phone.html"
  chrome --window-size=600,1000 --dump-dom "file://$dir/phone.html" |
    grep -o '<title>[^<]*</title>' | sed 's/<[^>]*>//g'
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
  "$bin" render tests/fixtures/long-token.csv --period 2025-Q4 --audience "$audience" --format html -o "$out/long-token-$audience.html"
  fits=1
  for page in "$audience" "long-token-$audience"; do
    for width in 360 400 500; do
      measured=$(page_width "$out/$page.html" "$width")
      if ! [[ "$measured" =~ ^measured\ ([0-9]+)/([0-9]+)$ ]]; then
        echo "FAIL $page at $width px: not measured ($measured)"; fits=0
      elif [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
        echo "FAIL $page at $width px: the page scrolls sideways (${BASH_REMATCH[1]} px wide)"; fits=0
      fi
    done
  done
  if [ "$fits" -eq 1 ]; then
    echo "html $audience: the samples and a long token fit screens 360 to 500 px wide"
  else
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  exit 1
fi
