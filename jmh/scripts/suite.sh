#!/usr/bin/env bash
# Run the JMH suite and write its results to jmh/results/: JMH JSON per run, the console log, and a Markdown table
# with a plot made by report.py.
#   jmh/scripts/suite.sh quick   a subset, a few minutes: 10^6 datasets, the baselines beside them, one mutation kind
#   jmh/scripts/suite.sh full    everything of DESIGN.md section 7 up to 10^8 records, under 30 minutes here
# Needs the benchmarks jar (mvn -B -q -DskipTests package). The GETFSMAP harness needs root, xfsprogs and loop
# devices; without root it is left out with a note.
# A run that fails (a benchmark throws, or the JVM exits non-zero) is named at the top of results.md and makes the
# script exit 1. OUTDIR must not hold an earlier run's results, which the report would otherwise take as this run's.
set -euo pipefail
caller="$(pwd)"
cd "$(dirname "$0")/../.."
mode="${1:-quick}"
stamp="$(date -u +%Y-%m-%d)"
out="${2:-jmh/results/$stamp-$mode}"
if [ -n "${2:-}" ] && [ "${out#/}" = "$out" ]; then
  out="$caller/$out" # relative to where the command was given, not to the repository
fi
jar="${DAXRMAP_BENCH_JAR:-jmh/target/benchmarks.jar}"
case "$mode" in
  quick|full) ;;
  *)
    echo "usage: $0 quick|full [OUTDIR]" >&2
    exit 2
    ;;
esac
if compgen -G "$out/*.json" > /dev/null || [ -e "$out/results.md" ]; then
  echo "suite.sh: $out holds an earlier run's results: name another OUTDIR, or remove them first" >&2
  exit 2
fi
if [ ! -f "$jar" ]; then
  mvn -B -q -DskipTests package
fi
mkdir -p "$out"
log="$out/console.log"
: > "$log"
rm -f "$out/failed-runs"
failed=()
run() {
  local name="$1"; shift
  echo "== $name: $*" | tee -a "$log"
  set +e
  # -foe: a benchmark that throws fails the run (JMH otherwise goes on to the next one and exits 0)
  java -Dchronicle.analytics.disable=true -jar "$jar" "$@" -foe true -rf json -rff "$out/$name.json" 2>&1 |
    tee -a "$log" |
    grep -E '^(# Run progress|dataset |getfsmap harness|Benchmark |([a-z]\.)*[A-Za-z.]*Benchmark\.)'
  local status="${PIPESTATUS[0]}"
  set -e
  if [ "$status" != 0 ]; then
    failed+=("$name")
    echo "$name" >> "$out/failed-runs"
    echo "FAILED: $name (exit status $status; its output is in $log)" | tee -a "$log"
  fi
}
short=(-f 1 -wi 2 -i 3 -w 1 -r 1)
case "$mode" in
  quick)
    run chase PointerChaseBenchmark -p mebibytes=256 "${short[@]}"
    run queries 'QueryBenchmark\.(pageQuery|byteQuery64)$' -p dataset=unshared-1e6,clones100-1e6 -prof gc "${short[@]}"
    run baselines BaselineBenchmark -p dataset=unshared-1e6,clones100-1e6 "${short[@]}"
    run mutations MutationBenchmark -p kind=unmapMap,allocFree -p cycles=256 -f 1 -wi 8 -i 3 -w 1 -r 1
    run bulkload 'BulkLoadBenchmark\.bulk' -p dataset=unshared-1e6 -f 1 -wi 6 -i 3
    run sharers 'SharersBenchmark\.firstOwner64$' -p sizing=extents -prof gc "${short[@]}"
    ;;
  full)
    run chase PointerChaseBenchmark "${short[@]}"
    # the miss with huge pages, the page size of the index's off-heap arenas: the yardstick of the 10^8 targets
    run chase-thp PointerChaseBenchmark -p mebibytes=4096 -jvmArgsAppend "-Xmx14g -XX:+UseTransparentHugePages" \
      "${short[@]}"
    run queries QueryBenchmark -p dataset=unshared-1e6,unshared-1e7,clones100-1e6,clones1000-1e7,capture-1e6 -prof gc "${short[@]}"
    run queries-1e8 'QueryBenchmark\.(pageQuery|byteQuery64|pageQueryStream|pageQueryBatch)$' -p dataset=unshared-1e8 "${short[@]}"
    # the same index after random batches moved nearly half of its placed stripes, just before they compact it
    run queries-1e8-moved 'QueryBenchmark\.pageQuery$' -p dataset=unshared-1e8-moved "${short[@]}"
    run baselines BaselineBenchmark "${short[@]}"
    run scan ScanBenchmark "${short[@]}"
    # the loader is warm after ~5 loads; the first (in the console log) is reported beside the warm figure
    run bulkload 'BulkLoadBenchmark\.bulk' -f 1 -wi 6 -i 5
    run bulkload-batches 'BulkLoadBenchmark\.Batches' -f 1 -wi 1 -i 3
    # a fresh writer runs at half speed or less for its first seconds, until the first compactions' arenas come back
    # to the mapping pool: mutations warm up 8 s here and in quick (results/2026-11-26-s16.md)
    run mutations MutationBenchmark -f 1 -wi 8 -i 5 -w 1 -r 1
    run readwrite ReadWhileWriteBenchmark "${short[@]}"
    run reopen ReopenBenchmark -f 1 -wi 1 -i 5
    run sharers SharersBenchmark -p sizing=extents -prof gc "${short[@]}"
    # the 2 MiB query again with each index sized for its records, sharers counted (narrower stripes the more sharers),
    # and with every index sized for the records of 10,000 sharers: what the stripe count costs, and what is left
    run sharers-sizing 'SharersBenchmark\.firstOwner2m$' -p sizing=records,alike -p sharers=1,10000 "${short[@]}"
    run failure '\.FailureBenchmark\.' "${short[@]}"
    # the daemon over an index loaded from its directory: a look at the index per event, against a burst's last look
    run failure-loaded LoadedFailureBenchmark -prof gc "${short[@]}"
    run classification ClassificationBenchmark -prof gc "${short[@]}"
    if [ "$(id -u)" = 0 ]; then
      run getfsmap GetFsmapBenchmark "${short[@]}"
    else
      echo "NOTE: GetFsmapBenchmark left out: it needs root to mount an XFS image" | tee -a "$log"
    fi
    ;;
esac
python3 jmh/scripts/report.py "$out"
echo "results: $out/results.md $out/latency.svg"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "suite.sh: ${#failed[@]} run(s) failed: ${failed[*]} (results.md says so)" >&2
  exit 1
fi
