#!/usr/bin/env bash
# Run test executables and scenario checks; print one "N passed, N failed"
# line at the end. Usage: tests/run.sh BUILD_DIR [--mt-only]
# A binary that dies (sanitizer report, crash, timeout) counts as a failure
# even if it printed no summary of its own.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR [--mt-only]}
mode=${2:-all}
. "$(dirname "$0")/summary.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
total_pass=0
total_fail=0
failed_names=()
mapfile -t bins < <(find "$build/tests" -type f -name 'test_*' -perm -u+x ! -name '*.p' | sort)
if [ "${#bins[@]}" -eq 0 ]; then
	echo "no test executables under $build/tests" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
for bin in "${bins[@]}"; do
	name=$(basename "$bin")
	case "$mode" in --mt-only) [[ "$name" == *_mt ]] || continue ;; esac
	log=$(mktemp)
	timeout 900 "$bin" >"$log" 2>&1
	rc=$?
	read -r p f < <(apv_summary "$log" "$rc")
	if [ "$f" -ne 0 ]; then
		echo "== $name: $p passed, $f failed (exit $rc)"
		grep -vE '^PASS ' "$log" | tail -n 60
		failed_names+=("$name")
	else
		echo "== $name: $p passed"
	fi
	rm -f "$log"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done
if [ "${#failed_names[@]}" -ne 0 ]; then
	echo "failing: ${failed_names[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
