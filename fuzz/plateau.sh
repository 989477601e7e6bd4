#!/usr/bin/env bash
# Runs one fuzz target until its coverage stops growing, then prints one line for the
# table in fuzz/README.md.
#
#   fuzz/plateau.sh TARGET [QUIET_SECONDS] [MAX_SECONDS]
#
# The target runs with fuzz/run.sh (its seeds, dictionary and corpus), in libFuzzer's
# fork mode so a crash is counted and the run goes on. It is stopped at a plateau: at
# least ten minutes in, and no new coverage edge (`cov` in libFuzzer's status lines)
# for QUIET_SECONDS (default 300). It is also stopped after MAX_SECONDS (default
# 3600), and the line then says "no plateau". Without FUZZ_CARGO_ARGS the target is
# built without AddressSanitizer ("-s none"): the crate forbids `unsafe`, and the runs
# go about three times faster. The whole libFuzzer log is kept in fuzz/logs/TARGET.log.
#
#   fuzz/plateau.sh --grid TARGET|LOG_FILE
#
# prints, from the kept log of TARGET's last run (or from a log file named by its path,
# such as one kept in another worktree), the edges reached at every ten minutes and at
# the end ("600 s: C", …, "end: C"), for the README's coverage tables.
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
    /^#[0-9]+: cov: [0-9]+ ft: / {
      for (i = 1; i <= NF; i++)
        if ($i == "time:") { t = $(i + 1); sub(/s$/, "", t); t += 0 }
      # Each mark shows the best coverage of the status lines up to that time.
      while (t > mark + 600) { mark += 600; printf "%d s: %d\n", mark, best }
      if ($3 + 0 > best) best = $3 + 0
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
crashes_before=$(find "fuzz/artifacts/$target" -type f | wc -l)
# The commit the target is built from (and whether files under src/ differ from it).
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- src || commit="$commit+changes"

export FUZZ_CARGO_ARGS=${FUZZ_CARGO_ARGS-"-s none"}
# A session of its own, so that the whole group (cargo, libFuzzer and its forked
# children) can be stopped at once.
setsid fuzz/run.sh "$target" "$max" -fork=1 -ignore_crashes=1 >"$log" 2>&1 &
group=$!
stop() { kill -INT -- "-$group" 2>/dev/null || true; }
trap 'stop; exit 130' INT TERM

# Reads the status lines of the log: "#N: cov: C ft: F corp: K exec/s: E
# oom/timeout/crash: a/b/c time: Ts ...". Prints: first cov, last cov, seconds since
# the last new edge, seconds run, executions, ft, corpus size, oom/timeout/crash, and
# the edges found in the last QUIET_SECONDS.
status() {
  awk -v quiet="$quiet" '
    /^#[0-9]+: cov: [0-9]+ ft: / {
      execs = substr($1, 2); sub(/:$/, "", execs)
      cov = $3; ft = $5; corp = $7
      for (i = 1; i <= NF; i++) {
        if ($i == "oom/timeout/crash:") failures = $(i + 1)
        # A number, not text: compared as text, "1000" < "912" (a run under 1000 s
        # then counted no edge in its last QUIET_SECONDS).
        if ($i == "time:") { t = $(i + 1); sub(/s$/, "", t); t += 0 }
      }
      if (!seen) { first = cov; best = cov; since = t; seen = 1 }
      if (cov + 0 > best + 0) { best = cov; since = t }
      last_t = t
      n++; times[n] = t; covs[n] = best
    }
    END {
      if (!seen) exit
      before = first
      for (i = 1; i <= n; i++) if (times[i] + quiet <= last_t) before = covs[i]
      print first, best, last_t - since, last_t, execs, ft, corp, failures, best - before
    }' "$log"
}

plateau=0
while kill -0 "$group" 2>/dev/null; do
  sleep 15
  read -r _ _ flat elapsed _ <<<"$(status)" || continue
  if [ "${elapsed:-0}" -ge "$min" ] && [ "${flat:-0}" -ge "$quiet" ]; then
    plateau=1
    stop
    break
  fi
done
wait "$group" 2>/dev/null || true

read -r first best flat elapsed execs ft corp failures recent <<<"$(status)" || {
  echo "plateau: $target printed no status line; see $log" >&2
  exit 1
}
crashes=$(($(find "fuzz/artifacts/$target" -type f | wc -l) - crashes_before))
verdict="no plateau (stopped at ${max} s; +${recent} edges in the last ${quiet} s)"
[ "$plateau" = 1 ] && verdict="plateau: no new edge in the last ${flat} s"
printf '| %s | %s | %s s | %s | %s → %s | %s | %s | %s (oom/timeout/crash %s) | %s |\n' \
  "$target" "$commit" "$elapsed" "$execs" "$first" "$best" "$ft" "$corp" "$crashes" "$failures" "$verdict"
