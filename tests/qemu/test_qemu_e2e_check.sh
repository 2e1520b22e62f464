#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The end-to-end log checker (qemu/e2e-check.sh) must accept a good guest
# log and reject every broken one: a crashed guest, a missing, duplicated or
# unexpected summary line, a failed check, a timeout, a non-zero init
# status, a missing or early init line, counters that disagree.
set -u
check=@E2E_CHECK@
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect pass|fail WHAT LOG STATUS [REASON [OPTIONS]]: a failure must name
# REASON (an extended regex) in one of its FAIL lines, so that a broken
# input is rejected for the right cause.
expect() {
	local want=$1 what=$2 log=$3 status=$4 why=${5:-} rc
	shift 4
	[ $# -gt 0 ] && shift
	bash "$check" --name t "$@" "$log" "$status" 'aptest[bringup]' 'tools[bringup]' \
		>"$tmp/out" 2>&1
	rc=$?
	if { [ "$want" = pass ] && [ "$rc" = 0 ] && ! grep -q '^FAIL' "$tmp/out"; } ||
		{ [ "$want" = fail ] && [ "$rc" = 1 ] && grep -Eq "^FAIL: t: .*($why)" "$tmp/out"; }; then
		echo "PASS $what (exit $rc)"
		passed=$((passed + 1))
	else
		echo "FAIL $what: wanted $want, checker exited $rc"
		sed 's/^/    /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

good() {
	printf '%s\r\n' \
		'[    0.000000] Linux version 6.1.0-50-s390x' \
		'init: bookworm, kernel 6.1.0-50-s390x, mode bringup, uptime 2.10s' \
		'PASS: every queue is bound and has interrupts enabled' \
		'aptest[bringup]: 31 passed, 0 failed' \
		'PASS: lszcrypt runs (exit 0)' \
		'tools[bringup]: 24 passed, 0 failed' \
		'COUNT queue 03.0005 17' \
		'COUNT queue 0a.0005 12' \
		'init: exit 0' \
		'ap-apvirt: queue 03.0005 requests=17 replies=17' \
		'ap-apvirt: queue 0a.0005 requests=12 replies=12'
}

good >"$tmp/good.log"
expect pass "a good log" "$tmp/good.log" 0 "" --counters

good | sed '4a [   12.345678] Kernel panic - not syncing: Attempted to kill init!' >"$tmp/panic.log"
expect fail "a kernel panic" "$tmp/panic.log" 0 "crash.*Kernel panic"

good | sed '5a Segmentation fault' >"$tmp/segv.log"
expect fail "a crashed guest program" "$tmp/segv.log" 0 "crash.*Segmentation"

good | sed '/^aptest\[bringup\]/d' >"$tmp/missing.log"
expect fail "a missing summary line" "$tmp/missing.log" 0 "aptest.bringup.: summary printed 0 times"

good | sed '/^tools\[bringup\]/p' >"$tmp/dup.log"
expect fail "a duplicated summary line" "$tmp/dup.log" 0 "tools.bringup.: summary printed 2 times"

good | sed 's/^aptest\[bringup\]: 31 passed, 0 failed/aptest[bringup]: 30 passed, 1 failed/' \
	>"$tmp/wrong.log"
expect fail "a failed guest check" "$tmp/wrong.log" 0 "aptest.bringup.: 30 passed, 1 failed"

good | sed 's/^tools\[bringup\]: 24 passed/tools[bringup]: 0 passed/' >"$tmp/none.log"
expect fail "a summary with nothing passed" "$tmp/none.log" 0 "tools.bringup.: 0 passed, 0 failed"

good | sed '/^init: exit/i aptest[extra]: 3 passed, 0 failed' >"$tmp/extra.log"
expect fail "an unexpected summary line" "$tmp/extra.log" 0 "unexpected summary: aptest.extra."

expect fail "a timeout" "$tmp/good.log" 124 "timed out"

expect fail "QEMU killed by a signal" "$tmp/good.log" 139 "status 139"

good | sed 's/^init: exit 0/init: exit 1/' >"$tmp/exit1.log"
expect fail "init exits 1" "$tmp/exit1.log" 0 "init exited with status 1"

good | sed '/^init: exit/d' >"$tmp/noexit.log"
expect fail "no init exit line" "$tmp/noexit.log" 0 "exit line printed 0 times"

good | sed '/^init: exit/p' >"$tmp/twoexit.log"
expect fail "two init exit lines" "$tmp/twoexit.log" 0 "exit line printed 2 times"

good | sed '/^init: exit/d' | sed '2a init: exit 0' >"$tmp/early.log"
expect fail "init's exit before the summaries" "$tmp/early.log" 0 "after every summary"

good | sed 's/requests=17 /requests=18 /' >"$tmp/counts.log"
expect fail "guest and device counters differ" "$tmp/counts.log" 0 "counted 17 requests, the device 18" --counters

good | sed '/^COUNT /d' >"$tmp/nocounts.log"
expect fail "no guest counters" "$tmp/nocounts.log" 0 "reported request counters .0 queues" --counters

good | sed '/^ap-apvirt: queue 0a/d' >"$tmp/nodev.log"
expect fail "a queue the device did not count" "$tmp/nodev.log" 0 "0a.0005: .* the device none" --counters

: >"$tmp/empty.log"
expect fail "an empty log" "$tmp/empty.log" 0 "printed 0 times"

expect fail "no log at all" "$tmp/absent.log" 0 "no log"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
