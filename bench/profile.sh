#!/usr/bin/env bash
# Profile one benchmark program where the machine has no hardware counters
# (a virtual machine): software counters (CPU time, context switches, CPU
# migrations) over the whole run, then a cpu-clock sample of where the
# process's CPU time goes, by symbol. docs/performance.md quotes it for the
# figures that miss their target.
# Usage: bench/profile.sh BUILD_DIR BENCH_NAME [SECONDS]   (e.g. build bench_intercept 1)
set -eu
build=${1:?usage: bench/profile.sh BUILD_DIR BENCH_NAME [SECONDS]}
name=${2:?usage: bench/profile.sh BUILD_DIR BENCH_NAME [SECONDS]}
export APV_BENCH_SECONDS=${3:-1}
bin="$build/bench/$name"
[ -x "$bin" ] || { echo "no $bin (build it first)" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== $name, APV_BENCH_SECONDS=$APV_BENCH_SECONDS: software counters"
perf stat -e task-clock,context-switches,cpu-migrations -o "$out/stat" "$bin"
grep -E 'task-clock|context-switches|cpu-migrations|elapsed' "$out/stat"
echo "== $name: where the CPU time goes (cpu-clock samples, top symbols)"
perf record -q -F 4000 -e cpu-clock -o "$out/data" "$bin" >/dev/null 2>&1
perf report -q -i "$out/data" --no-children --sort dso,symbol 2>/dev/null | head -n 25
