#!/usr/bin/env bash
# maildir-fanout benchmark (not a test; CI never runs it). Entry point of `npm run bench`, which
# builds first. Every command runs under `env -i PATH=/usr/bin:/bin` like an MTA would run it,
# next to a bare `node -e ''`. Two scenarios (docs/performance.md):
#
#   bash bench/run.sh [delivery]   (npm run bench) wall time and peak RSS delivering 4 KiB,
#                                  256 KiB, 20 MiB and 200 MiB into 1, 3 and 8 maildirs
#                                  (bench/deliver.mjs, about 2 minutes)
#   bash bench/run.sh routing      (npm run bench -- routing) what `match` rules cost: a 4 KiB
#                                  commit mail into 3 and 8 maildirs with and without rules,
#                                  paired, and which routing code runs at all
#                                  (bench/routing.mjs, 4-7 minutes)
#   bash bench/run.sh compare      (npm run bench -- compare) against the C delivery agents:
#                                  safecat (in a loop), procmail, maildrop, fdm and `node -e ''`,
#                                  4 KiB to 200 MiB into 1, 3, 8 and 32 maildirs, plus a burst
#                                  test (bench/compare.mjs; writes bench/results/compare.json
#                                  and the chart bench/results/compare.svg, bench/chart.mjs).
#                                  and the self-check of 8 maildirs against node -e ''.
#                                  Installs the agents with apt-get when missing and root.
#                                  QUICK: about 10 minutes; full: about 41 minutes
#   bash bench/run.sh all          (npm run bench -- all) all three, one after the other
#
# Prints a markdown report on stdout and writes it to bench/results/<scenario>.md.
#
#   BENCH_DIR=/some/disk   parent of the scratch directory (default /var/tmp; must not be tmpfs:
#                          the point is to measure real fsyncs). Needs ~500 MiB free
#                          (compare: ~1 GiB in QUICK mode, ~7 GiB for 200 MiB into 32).
#   BENCH_QUICK=1          3 runs per case, to check the script quickly (compare: 5, 3 at 20 MiB
#                          and up, and no 200 MiB into 8 or 32 maildirs)
#   BENCH_SMOKE=1          compare only: 4 KiB only, 2 runs, burst of 40, to check the script
#   BENCH_STDIN=file       message as a file on stdin instead of a pipe (delivery scenario only)
set -euo pipefail

case ${1:-delivery} in
  delivery) scenarios=(delivery) ;;
  routing) scenarios=(routing) ;;
  compare) scenarios=(compare) ;;
  all) scenarios=(delivery routing compare) ;;
  *)
    echo "usage: bash bench/run.sh [delivery|routing|compare|all]" >&2
    exit 2
    ;;
esac

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
results=$repo/bench/results

if [ ! -f "$repo/dist/maildir-fanout.js" ]; then
  echo "bench: dist/maildir-fanout.js is missing; run 'npm run build' (or use 'npm run bench')" >&2
  exit 1
fi

# Peak RSS comes from GNU time (%M). `command -v time` would find the shell keyword, so test the
# binary itself.
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing GNU time (/usr/bin/time) ..." >&2
    apt-get install -y -qq time >&2 || { apt-get update -qq >&2 && apt-get install -y -qq time >&2; }
  else
    echo "bench: /usr/bin/time (GNU time) is required: apt-get install time" >&2
    exit 1
  fi
fi

# The measured commands find node the way an MTA's environment does: PATH=/usr/bin:/bin.
if ! env -i PATH=/usr/bin:/bin sh -c 'command -v node' >/dev/null; then
  echo "bench: no node in /usr/bin:/bin; the benchmark runs commands with PATH=/usr/bin:/bin" >&2
  exit 1
fi

# The comparison needs the C agents (Debian packages safecat, procmail, maildrop, fdm): install
# the missing ones when we can, otherwise bench/compare.mjs says which it skipped.
if [[ " ${scenarios[*]} " == *" compare "* ]]; then
  missing=()
  for agent in safecat procmail maildrop fdm; do
    [ -x "/usr/bin/$agent" ] || missing+=("$agent")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      echo "bench: installing ${missing[*]} ..." >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq "${missing[@]}" >&2 ||
        { apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2; } ||
        echo "bench: could not install ${missing[*]}; the comparison skips what is missing" >&2
    else
      echo "bench: ${missing[*]} not installed and not root: the comparison skips them" >&2
    fi
  fi
fi

scratch_parent=${BENCH_DIR:-/var/tmp}
fstype=$(stat -f -c %T "$scratch_parent")
if [ "$fstype" = tmpfs ] || [ "$fstype" = ramfs ]; then
  echo "bench: $scratch_parent is $fstype; set BENCH_DIR to a directory on a real disk" >&2
  exit 1
fi
scratch=$(mktemp -d "$scratch_parent/mf-bench.XXXX")
trap 'rm -rf -- "$scratch"' EXIT

# Measure a snapshot of the built tool (launcher, entry point, bundle and its code cache): a
# rebuild in the work tree during the run (`npm run build` starts by deleting dist/) must neither
# break the run nor change what it measures half-way.
mkdir -p "$scratch/tool/bin" "$scratch/tool/dist"
cp -- "$repo/bin/maildir-fanout" "$scratch/tool/bin/"
cp -- "$repo/dist/start.js" "$repo/dist/maildir-fanout.js" "$repo/dist/maildir-fanout.js.cache" "$scratch/tool/dist/"
tool=$scratch/tool/bin/maildir-fanout

# For the report header; bench/deliver.mjs reads the same two variables the same way.
stdin_mode=pipe
if [ "${BENCH_STDIN:-}" = file ]; then stdin_mode=file; fi
quick_note=
if [ "${BENCH_QUICK:-}" = 1 ]; then quick_note='. QUICK MODE, 3 runs per case'; fi
if [ "${BENCH_SMOKE:-}" = 1 ]; then quick_note="$quick_note. SMOKE MODE (compare: 4 KiB only)"; fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)

mkdir -p "$results"
for scenario in "${scenarios[@]}"; do
  started=$(date +%s)
  # Wall times are only as good as the machine is idle: record the load average around the run.
  load_before=$(cut -d ' ' -f 1 /proc/loadavg)
  # Collect the table first (progress goes to stderr), then print the whole report.
  mkdir "$scratch/$scenario"
  case $scenario in
    delivery)
      via=$stdin_mode
      table=$(node "$repo/bench/deliver.mjs" --scratch "$scratch/$scenario" --tool "$tool")
      ;;
    routing)
      via=pipe # the routing scenario always pipes the message, as an MTA does
      table=$(node "$repo/bench/routing.mjs" --scratch "$scratch/$scenario" --tool "$tool")
      ;;
    compare)
      via=pipe # a file for the safecat loop, which must read it once per maildir
      if [ "${BENCH_QUICK:-}" = 1 ]; then quick_note='. QUICK MODE, 5 runs per case (3 at 20 MiB and 200 MiB)'; fi
      table=$(node "$repo/bench/compare.mjs" --scratch "$scratch/$scenario" --tool "$tool" \
        --json "$results/compare.json")
      node "$repo/bench/chart.mjs" "$results/compare.json" "$results/compare.svg" ||
        echo "bench: the chart failed; rerun: node bench/chart.mjs $results/compare.json OUT.svg" >&2
      ;;
  esac
  rm -rf -- "${scratch:?}/$scenario"
  load_after=$(cut -d ' ' -f 1 /proc/loadavg)
  {
    echo "Machine: $(nproc) CPUs (${cpu:-unknown model}), $mem RAM, Linux $(uname -r)," \
      "node $(env -i PATH=/usr/bin:/bin node --version), scratch filesystem" \
      "\`$(stat -f -c %T "$scratch")\` ($scratch_parent). $(date -u '+%Y-%m-%d %H:%M UTC')." \
      "Message on stdin via a $via. 1-minute load average $load_before before," \
      "$load_after after$quick_note."
    echo
    echo "$table"
  } | tee "$results/$scenario.md"
  echo "bench: $scenario took $(($(date +%s) - started)) s; report in bench/results/$scenario.md" >&2
done
