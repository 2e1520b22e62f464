#!/usr/bin/env bash
# The long fuzz_insn campaign (make fuzz-long): FUZZ_LONG_SECONDS (default
# 3600) on FUZZ_LONG_JOBS processes (default 2, one per core) of the
# coverage-only build, sharing one corpus (each picks up the others' new
# inputs), seeded from fuzz/corpus/insn. Prints the executions, exec/s,
# the edges of the corpus it leaves, the instruction-boundary executions
# (guest instructions run, each followed by every invariant check) and
# whether the target, 10 million of them in one hour on 2 cores, is met.
# A shorter campaign extrapolates linearly to the hour and says so.
# The corpus and the logs stay in BUILD_DIR/fuzz/long/; exits non-zero on
# a finding.
# Usage: fuzz/long.sh BUILD_DIR
set -u
build=${1:?usage: fuzz/long.sh BUILD_DIR}
secs=${FUZZ_LONG_SECONDS:-3600}
jobs=${FUZZ_LONG_JOBS:-2}
target=10000000
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/fuzz/configure.sh"

if [ ! -f "$build/build.ninja" ]; then
	fuzz_configure "$src" "$build" coverage || {
		echo "fuzz-long: cannot configure $build (is clang installed?)" >&2
		exit 1
	}
fi
ninja -C "$build" fuzz/fuzz_insn >/dev/null || {
	echo "fuzz-long: build failed" >&2
	exit 1
}
bin=$build/fuzz/fuzz_insn
dir=$build/fuzz/long
rm -rf "$dir"
mkdir -p "$dir/corpus" "$dir/findings"
cp -r "$src/fuzz/corpus/insn/." "$dir/corpus/"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "fuzz-long: fuzz_insn, coverage-only build, $jobs processes x $secs s on $(nproc) CPUs (load average $load0)"
TIMEFORMAT=%U:%S
start=$(date +%s%N)
pids=()
for j in $(seq 1 "$jobs"); do
	{ time "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-seed="$j" -print_final_stats=1 -artifact_prefix="$dir/findings/" "$dir/corpus" \
		>"$dir/job$j.log" 2>&1; } 2>"$dir/job$j.cpu" &
	pids+=($!)
done
status=0
for p in "${pids[@]}"; do
	wait "$p" || status=1
done
wall=$((($(date +%s%N) - start) / 1000000))
load1=$(cut -d' ' -f1-3 /proc/loadavg)
# The edges of what the campaign leaves: one pass over the merged corpus.
cov=$("$bin" -runs=0 "$dir/corpus" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' | tail -n 1)
findings=$(find "$dir/findings" -type f | wc -l)
[ "$status" -ne 0 ] && [ "$findings" -eq 0 ] && findings=1

cat "$dir"/job*.log | awk -v secs="$secs" -v jobs="$jobs" -v wall="$wall" -v cov="${cov:-?}" \
	-v target="$target" -v nf="$findings" -v load1="$load1" -v cpus="$(cat "$dir"/job*.cpu | tr '\n' ' ')" '
	/^stat::number_of_executed_units:/ { execs += $2 }
	/^fuzz_insn: [0-9]+ instruction-boundary executions/ { insns += $2 }
	END {
		wall /= 1000
		n = split(cpus, c, " ")
		for (i = 1; i <= n; i++) { split(c[i], u, ":"); cpu += u[1] + u[2] }
		share = cpu / (wall * jobs)
		printf "fuzz-long: %.0f executions in %.0f s (%.0f exec/s), %s edges, %d findings\n",
			execs, wall, execs / wall, cov, nf
		printf "fuzz-long: %.0f instruction-boundary executions (%.0f/s); the processes got %.0f%% of %d CPUs (%.0f CPU s; load average at the end %s)\n",
			insns, insns / wall, 100 * share, jobs, cpu, load1
		hour = insns * 3600 / wall
		if (secs >= 3600)
			printf "fuzz-long: target >= %.0f instruction-boundary executions in one hour on 2 cores: %.0f in %.0f s: %s\n",
				target, insns, wall, (hour >= target ? "met" : "NOT met")
		else
			printf "fuzz-long: target >= %.0f instruction-boundary executions in one hour on 2 cores: %.0f extrapolated from %.0f s: %s (extrapolated, not measured over the hour)\n",
				target, hour, wall, (hour >= target ? "met" : "NOT met")
		if (hour < target && share < 0.9)
			printf "fuzz-long: the processes had %.0f%% of their CPUs (other load on the machine); at full use the rate would be about %.0f per hour\n",
				100 * share, (share > 0 ? hour / share : 0)
	}'
if [ "$findings" -ne 0 ]; then
	grep -hE 'ERROR|fuzz invariant|SUMMARY|runtime error|Test unit written' "$dir"/job*.log | head -n 20
	echo "fuzz-long: findings in $dir/findings, logs in $dir"
	exit 1
fi
