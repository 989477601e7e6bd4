#!/usr/bin/env bash
# Runs one fuzz target until its coverage stops growing, then prints one line for the
# table in fuzz/README.md.
#
#   fuzz/plateau.sh TARGET [QUIET_SECONDS] [MAX_SECONDS]
#
# The target runs with fuzz/run.sh (its seeds, dictionary and corpus) in one process, as
# libFuzzer runs by default: it mutates the whole corpus with its entropic schedule. (Until
# 2026-12-04 this script used fork mode, `-fork=1`, so that a crash was counted and the
# run went on; but each forked job is given only about the square root of the corpus,
# some 70 of 5 000 inputs, and runs at most 300 s, and those runs "plateaued" where one
# process still found a hundred edges in 15 minutes: see fuzz/README.md.) A crash, a
# timeout or an out-of-memory now ends the run, with its input in fuzz/artifacts/TARGET.
# The run is stopped at a plateau: at least ten minutes in, and no new coverage edge
# (`cov` in libFuzzer's status lines) for QUIET_SECONDS (default 300). It is also stopped
# after MAX_SECONDS (default 3600), and the line then says "no plateau". Without
# FUZZ_CARGO_ARGS the target is built without AddressSanitizer ("-s none"): the crate
# forbids `unsafe`, and the runs go about three times faster. The whole libFuzzer log is
# kept in fuzz/logs/TARGET.log, each line led by the seconds since the run began; the
# log of the run before is moved to fuzz/logs/TARGET.prev.log, not overwritten.
#
#   fuzz/plateau.sh --grid TARGET|LOG_FILE
#
# prints, from the kept log of TARGET's last run (or from a log file named by its path,
# such as fuzz/logs/TARGET.prev.log or one kept in another worktree), the edges reached
# at every ten minutes and at the end ("600 s: C", …, "end: C"), for the README's
# coverage tables.
set -euo pipefail
if [ "${1:-}" = --grid ]; then
  grid_log=${2:?usage: fuzz/plateau.sh --grid TARGET|LOG_FILE}
  # A path is taken as given (before the cd below); a bare name is a target.
  case $grid_log in
  */* | *.log) grid_log=$(realpath -- "$grid_log") ;;
  *) grid_log=$(dirname "$0")/logs/$grid_log.log ;;
  esac
  [ -f "$grid_log" ] || { echo "plateau: no log at $grid_log" >&2; exit 2; }
  awk '
    # Fork-mode logs (until 2026-12-04) carry "time: Ts"; later ones lead each line
    # with the seconds since the run began.
    / cov: [0-9]+ ft: / {
      t = -1
      if ($1 ~ /^[0-9]+$/ && $2 ~ /^#[0-9]+$/) t = $1 + 0
      for (i = 1; i < NF; i++) {
        if ($i == "time:") { t = $(i + 1); sub(/s$/, "", t); t += 0 }
        if ($i == "cov:") cov = $(i + 1) + 0
      }
      if (t < 0) next
      # Each mark shows the best coverage of the status lines up to that time.
      while (t > mark + 600) { mark += 600; printf "%d s: %d\n", mark, best }
      if (cov > best) best = cov
    }
    END { printf "end: %d\n", best }' "$grid_log"
  exit
fi
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/plateau.sh TARGET [QUIET_SECONDS] [MAX_SECONDS]}
quiet=${2:-300}
max=${3:-3600}
min=${PLATEAU_MIN_SECONDS:-600} # lowered only to try the script out
mkdir -p fuzz/logs "fuzz/artifacts/$target"
log=fuzz/logs/$target.log
# The last run's log is kept one run more, so that its grid can still be taken.
[ -f "$log" ] && mv -f -- "$log" "fuzz/logs/$target.prev.log"
crashes_before=$(find "fuzz/artifacts/$target" -type f | wc -l)
# The commit the target is built from (and whether files under src/ differ from it).
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- src || commit="$commit+changes"

export FUZZ_CARGO_ARGS=${FUZZ_CARGO_ARGS-"-s none"}
# Leads each line with the seconds since the run began (libFuzzer's own status lines
# carry no time outside fork mode).
stamp() {
  local line start=$SECONDS
  while IFS= read -r line; do printf '%d %s\n' "$((SECONDS - start))" "$line"; done
}
# A session of its own, so that the whole group (cargo and libFuzzer) can be stopped at
# once; the stamping stays outside it, so it sees the last lines.
launched=$SECONDS
setsid fuzz/run.sh "$target" "$max" > >(stamp >"$log") 2>&1 &
group=$!
stop() { kill -INT -- "-$group" 2>/dev/null || true; }
trap 'stop; exit 130' INT TERM

# Reads the status lines of the log: "T #N KIND cov: C ft: F corp: K/SIZE …", from
# libFuzzer's INITED line (the corpus loaded) on. Prints: cov at INITED, best cov,
# seconds since the last new edge, seconds run, executions, ft, corpus size, and the
# edges found in the last QUIET_SECONDS. Times are counted to now, not to the last
# line: libFuzzer prints nothing while it finds nothing.
status() {
  awk -v quiet="$quiet" -v now="$((SECONDS - launched))" '
    $1 ~ /^[0-9]+$/ && $2 ~ /^#[0-9]+$/ && / cov: [0-9]+ ft: / {
      t = $1 + 0
      execs = substr($2, 2)
      for (i = 3; i < NF; i++) {
        if ($i == "cov:") cov = $(i + 1) + 0
        if ($i == "ft:") ft = $(i + 1)
        if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) }
      }
      if ($3 == "INITED") { first = cov; best = cov; since = t; seen = 1 }
      if (!seen) next
      if (cov > best) { best = cov; since = t }
      n++; times[n] = t; covs[n] = best
    }
    # The final count, where the run printed it (-print_final_stats=1).
    / stat::number_of_executed_units: / { execs = $NF }
    END {
      if (!seen) exit
      before = first
      for (i = 1; i <= n; i++) if (times[i] + quiet <= now) before = covs[i]
      print first, best, now - since, now, execs, ft, corp, best - before
    }' "$log"
}

plateau=0
while kill -0 "$group" 2>/dev/null; do
  sleep 15
  read -r _ _ flat _ _ <<<"$(status)" || continue
  # Ten minutes of the watch's own clock: status lines are printed only when something
  # changes, so the last one can be old.
  if [ "$SECONDS" -ge "$min" ] && [ "${flat:-0}" -ge "$quiet" ]; then
    plateau=1
    stop
    break
  fi
done
wait "$group" 2>/dev/null || true

sleep 1 # the stamping writes the last lines
read -r first best flat elapsed execs ft corp recent <<<"$(status)" || {
  # Before INITED: the build failed, or an input of the corpus crashed while loading.
  echo "plateau: $target printed no status line; see $log and fuzz/artifacts/$target" >&2
  exit 1
}
crashes=$(($(find "fuzz/artifacts/$target" -type f | wc -l) - crashes_before))
verdict="no plateau (stopped at ${max} s; +${recent} edges in the last ${quiet} s)"
[ "$plateau" = 1 ] && verdict="plateau: no new edge in the last ${flat} s"
[ "$crashes" -gt 0 ] && verdict="stopped at ${elapsed} s by a crash, timeout or out-of-memory: see fuzz/artifacts/$target and $log"
printf '| %s | %s | %s s | %s | %s → %s | %s | %s | %s | %s |\n' \
  "$target" "$commit" "$elapsed" "$execs" "$first" "$best" "$ft" "$corp" "$crashes" "$verdict"
