#!/usr/bin/env bash
# Checks the PDF reports with independent tools: qpdf finds no structural error, every
# font is embedded, and the text pdftotext extracts holds every figure of the Markdown
# report for the same input and period; and with long unbroken tokens in titles and a long
# sprint name, no two words overlap and none leaves the page. Run by .ci/run; needs qpdf
# and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin=target/debug/escape-report
[ -x "$bin" ] || cargo build --quiet

failed=0
for audience in sprint em board; do
  "$bin" render samples/problems.csv --audience "$audience" --format pdf -o "$out/$audience.pdf"
  "$bin" render samples/problems.csv --audience "$audience" --format md --no-charts -o "$out/$audience.md"
  if ! qpdf --check "$out/$audience.pdf" >"$out/qpdf.txt" 2>&1; then
    echo "FAIL $audience: qpdf --check"; cat "$out/qpdf.txt"; failed=1
  fi
  # Every font row must say yes in the "emb" column.
  if pdffonts "$out/$audience.pdf" | tail -n +3 | awk '{ if ($(NF-4) != "yes") bad=1 } END { exit bad }'; then :; else
    echo "FAIL $audience: a font is not embedded"; pdffonts "$out/$audience.pdf"; failed=1
  fi
  pdftotext -layout "$out/$audience.pdf" "$out/$audience.txt"
  if ! python3 - "$out/$audience.md" "$out/$audience.txt" <<'PY'
import re, sys
md = open(sys.argv[1], encoding="utf-8").read()
pdf = open(sys.argv[2], encoding="utf-8").read()
pdf_tokens = set(re.findall(r"\d[\d,]*(?:\.\d+)?", pdf))
figures = set(re.findall(r"\d[\d,]*(?:\.\d+)?", md))
missing = sorted(figures - pdf_tokens)
if missing:
    print("figures in the Markdown but not in the PDF:", missing)
    sys.exit(1)
print(f"{len(figures)} figures of the Markdown found in the PDF text")
PY
  then
    echo "FAIL $audience: the PDF's text lacks figures of the Markdown report"; failed=1
  fi
  pages=$(pdfinfo "$out/$audience.pdf" | awk '/^Pages:/ {print $2}')
  echo "pdf $audience: qpdf clean, fonts embedded, $pages pages"
done

# Words as pdftotext places them: none overlaps another or runs off its page.
cat >"$out/sprint.toml" <<'TOML'
[[sprint]]
name = "Sprint 42 – Checkout hardening and the payment-provider migration for the DACH region (Zürich, Wien, München) with extra scope"
start = 2025-11-01
end = 2025-11-30
TOML
sprint="Sprint 42 – Checkout hardening and the payment-provider migration for the DACH region (Zürich, Wien, München) with extra scope"
for audience in sprint em board; do
  apart=1
  "$bin" render tests/fixtures/long-token.csv --period 2025-Q4 --audience "$audience" --format pdf -o "$out/long-token-$audience.pdf"
  "$bin" render tests/fixtures/long-token.csv --config "$out/sprint.toml" --period "$sprint" --audience "$audience" --format pdf -o "$out/long-name-$audience.pdf"
  for case in long-token long-name; do
    pdftotext -bbox "$out/$case-$audience.pdf" "$out/$case-$audience.html"
    if ! python3 - "$out/$case-$audience.html" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
bad = []
pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', text, re.S)
for n, (width, body) in enumerate(pages, 1):
    word = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(word, body)]
    for i, a in enumerate(words):
        if a[2] > float(width):
            bad.append(f"page {n}: {a[4]!r} runs off the page")
        for b in words[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                bad.append(f"page {n}: {a[4]!r} overlaps {b[4]!r}")
if bad:
    print("\n".join(bad[:10]))
sys.exit(1 if bad or not pages else 0)
PY
    then
      echo "FAIL $case $audience: words overlap or leave the page"; apart=0; failed=1
    fi
  done
  if [ "$apart" -eq 1 ]; then
    echo "pdf $audience: long tokens and a long sprint name stay apart and on the page"
  fi
done
exit "$failed"
