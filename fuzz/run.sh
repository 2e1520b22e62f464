#!/usr/bin/env bash
# Run libFuzzer targets for SECONDS each against a copy of their seed
# corpus (fuzz/corpus/<target>); new inputs stay in the copy, findings go
# to BUILD_DIR/fuzz/findings/<target>. Configures BUILD_DIR with clang if
# it is not configured yet: coverage for the whole library plus ASan and
# UBSan, or with --coverage-only coverage alone (no sanitizer: the build for
# long campaigns, see fuzz/long.sh).
# Prints per target the executions, exec/s (wall clock and per CPU second),
# edges and findings (fuzz_insn also its instruction-boundary executions),
# then "N passed, N failed" (one per target); exits non-zero on a finding.
# Usage: fuzz/run.sh [--coverage-only] BUILD_DIR [SECONDS] [TARGET...]
set -u
variant=sanitized
if [ "${1:-}" = --coverage-only ]; then
	variant=coverage
	shift
fi
build=${1:?usage: fuzz/run.sh [--coverage-only] BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-60}
shift 2 2>/dev/null || shift $#
src=$(cd "$(dirname "$0")/.." && pwd)
targets=(insn scenario mdevctl cex cprb)
[ $# -gt 0 ] && targets=("${@#fuzz_}")

. "$src/fuzz/configure.sh"

if [ ! -f "$build/build.ninja" ]; then
	fuzz_configure "$src" "$build" "$variant" || {
		echo "fuzz: cannot configure $build (is clang installed?)" >&2
		echo "0 passed, ${#targets[@]} failed"
		exit 1
	}
fi
ninja -C "$build" $(printf 'fuzz/fuzz_%s ' "${targets[@]}") >/dev/null || {
	echo "fuzz: build failed" >&2
	echo "0 passed, ${#targets[@]} failed"
	exit 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
echo "fuzz: $build ($variant), $secs s per target, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
pass=0 fail=0
for t in "${targets[@]}"; do
	bin="$build/fuzz/fuzz_$t"
	work=$(mktemp -d)
	findings="$build/fuzz/findings/$t"
	mkdir -p "$findings"
	cp -r "$src/fuzz/corpus/$t/." "$work/"
	dict=()
	[ -f "$src/fuzz/$t.dict" ] && dict=("-dict=$src/fuzz/$t.dict")
	log="$build/fuzz/findings/$t.log"
	before=$(find "$findings" -type f | wc -l)
	# -timeout: one input running 10 s is a hang; -rss_limit_mb: a runaway allocation.
	start=$(date +%s%N)
	TIMEFORMAT=%U:%S
	{ time "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		"${dict[@]}" -print_final_stats=1 -artifact_prefix="$findings/" "$work" \
		>"$log" 2>&1; } 2>"$log.cpu"
	rc=$?
	wall=$((($(date +%s%N) - start) / 1000000))
	cpu=$(tail -n 1 "$log.cpu")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	insns=$(sed -n 's/^fuzz_insn: \([0-9]*\) instruction-boundary executions.*/\1/p' "$log" | tail -n 1)
	after=$(find "$findings" -type f | wc -l)
	new=$((after - before))
	if [ "$rc" -ne 0 ] && [ "$new" -eq 0 ]; then
		new=1 # died without leaving an input: count it anyway
	fi
	line=$(awk -v t="$t" -v e="$execs" -v s="$secs" -v w="$wall" -v c="$cpu" -v cov="${cov:-?}" \
		-v n="$new" -v i="${insns:-}" 'BEGIN {
		split(c, u, ":"); cs = u[1] + u[2]; w /= 1000
		printf "fuzz_%s: %.0f executions in %d s (%.0f exec/s, %.0f per CPU second), %s edges, %d findings",
			t, e, s, (w > 0 ? e / w : 0), (cs > 0 ? e / cs : 0), cov, n
		if (i != "")
			printf "; %.0f instruction-boundary executions (%.0f/s)", i, (w > 0 ? i / w : 0)
	}')
	echo "$line"
	if [ "$new" -ne 0 ]; then
		grep -E 'ERROR|fuzz invariant|SUMMARY|runtime error|Test unit written' "$log" | head -n 20
		echo "  log: $log"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
	rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
