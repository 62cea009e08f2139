#!/usr/bin/env bash
# Compare two builds of the benchmarks jar side by side: the same JMH selection runs with each jar in turn, in ABBA
# order (A B, then B A, ...) so that a machine that speeds up or slows down during the comparison favours neither,
# and compare.py prints each benchmark's median score per jar and the ratio B / A.
#   jmh/scripts/compare.sh [-r ROUNDS] OUTDIR JAR_A JAR_B [JMH ARGS...]
#   e.g. jmh/scripts/compare.sh -r 2 /tmp/cmp old.jar jmh/target/benchmarks.jar MutationBenchmark -p kind=cowRemap -f 1
# On this machine figures of one jar drift by up to 1.6 x with the hour: compare jars this way, not full runs.
set -euo pipefail
rounds=2
if [ "${1:-}" = "-r" ]; then
  rounds="$2"
  shift 2
fi
if [ "$#" -lt 3 ]; then
  echo "usage: $0 [-r ROUNDS] OUTDIR JAR_A JAR_B [JMH ARGS...]" >&2
  exit 2
fi
out="$1"
jar_a="$2"
jar_b="$3"
shift 3
for jar in "$jar_a" "$jar_b"; do
  if [ ! -f "$jar" ]; then
    echo "no such jar: $jar" >&2
    exit 2
  fi
done
mkdir -p "$out"
log="$out/console.log"
: > "$log"
run() {
  local label="$1" jar="$2" round="$3"
  echo "== round $round, $label: $jar ${*:4}" | tee -a "$log"
  # -foe: a benchmark that throws stops the comparison (JMH otherwise goes on and exits 0)
  java -Dchronicle.analytics.disable=true -jar "$jar" "${@:4}" -foe true -rf json -rff "$out/$round-$label.json" >> "$log" 2>&1
}
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then
    run A "$jar_a" "$round" "$@"
    run B "$jar_b" "$round" "$@"
  else
    run B "$jar_b" "$round" "$@"
    run A "$jar_a" "$round" "$@"
  fi
done
python3 "$(dirname "$0")/compare.py" "$out" | tee "$out/compare.md"
