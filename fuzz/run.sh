#!/usr/bin/env bash
# Run every libFuzzer target for SECONDS each against a copy of its seed
# corpus (fuzz/corpus/<target>); new inputs stay in the copy, findings go
# to BUILD_DIR/fuzz/findings/<target>. Configures BUILD_DIR with clang,
# coverage, ASan and UBSan if it is not configured yet.
# Prints per-target executions and findings, then "N passed, N failed"
# (one per target); exits non-zero on any finding.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]
set -u
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
targets=(insn scenario mdevctl cex)

if [ ! -f "$build/build.ninja" ]; then
	CC=${FUZZ_CC:-clang} meson setup "$build" "$src" --buildtype=debugoptimized \
		-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		"-Dc_args=-fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=$src/fuzz/coverage-ignore.txt -fno-sanitize-recover=all" \
		"-Dc_link_args=-fno-sanitize-recover=all" >/dev/null || {
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
pass=0 fail=0
for t in "${targets[@]}"; do
	bin="$build/fuzz/fuzz_$t"
	work=$(mktemp -d)
	findings="$build/fuzz/findings/$t"
	mkdir -p "$findings"
	cp -r "$src/fuzz/corpus/$t/." "$work/"
	log="$build/fuzz/findings/$t.log"
	before=$(find "$findings" -type f | wc -l)
	# -timeout: one input running 10 s is a hang; -rss_limit_mb: a runaway allocation.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$findings/" "$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
	after=$(find "$findings" -type f | wc -l)
	new=$((after - before))
	if [ "$rc" -ne 0 ] && [ "$new" -eq 0 ]; then
		new=1 # died without leaving an input: count it anyway
	fi
	echo "fuzz_$t: ${execs:-0} executions in ${secs} s, ${cov:-cov: ?} edges, $new findings"
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
