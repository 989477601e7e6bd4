#!/usr/bin/env bash
# Checks the PDF reports with independent tools: qpdf finds no structural error, every
# font is embedded, and the text pdftotext extracts holds every figure of the Markdown
# report for the same input and period. Run by .ci/run; needs qpdf and poppler-utils.
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
exit "$failed"
