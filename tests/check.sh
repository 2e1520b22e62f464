#!/usr/bin/env bash
# The whole of `make check`: unit and scenario tests under ASan+UBSan, the
# threaded tests again under TSan, and a short bounded run of every fuzz
# target. Each stage prints its own "N passed, N failed"; the last line is
# the sum over all stages. Exits non-zero if anything failed.
# Usage: tests/check.sh SAN_BUILD TSAN_BUILD FUZZ_BUILD [FUZZ_SECONDS]
set -u
san=${1:?usage: tests/check.sh SAN_BUILD TSAN_BUILD FUZZ_BUILD [FUZZ_SECONDS]}
tsan=${2:?}
fuzz=${3:?}
fuzz_secs=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/summary.sh"
total_pass=0
total_fail=0
status=0

stage() {
	local title=$1
	shift
	echo
	echo "=== $title"
	local log
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local p f
	read -r p f < <(apv_summary "$log" "$rc")
	rm -f "$log"
	[ "$rc" -ne 0 ] && status=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

stage "ASan+UBSan: unit tests and scenarios" "$here/run.sh" "$san"
stage "TSan: threaded tests" "$here/run.sh" "$tsan" --mt-only
stage "fuzzing: ${fuzz_secs}s per target" "$here/../fuzz/run.sh" "$fuzz" "$fuzz_secs"

echo
echo "$total_pass passed, $total_fail failed"
[ "$status" -eq 0 ] && [ "$total_fail" -eq 0 ]
