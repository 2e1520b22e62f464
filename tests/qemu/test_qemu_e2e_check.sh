#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The end-to-end log checker (qemu/e2e-check.sh) must accept a good guest
# log and reject every broken one: a crashed guest, a missing, duplicated or
# unexpected summary line, a failed check, a timeout, a non-zero init
# status, a missing or early init line, counters that disagree; for the
# coprocessor machines, each required check missing, failed or printed twice.
set -u
check=@E2E_CHECK@
coproc=@E2E_COPROC@
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

# ---- the reconfiguration run (--hotplug) ------------------------------------

hp_steps="unplug-card plug-card checkstop busy config-off"
hp_host_steps="unplug-card plug-card checkstop busy end"

# expect_hp pass|fail WHAT LOG HOSTLOG [REASON]
expect_hp() {
	local want=$1 what=$2 log=$3 hlog=$4 why=${5:-} rc
	bash "$check" --name t --hotplug "$hlog" --steps "$hp_steps" --host-steps "$hp_host_steps" \
		"$log" 0 'apload[load]' >"$tmp/out" 2>&1
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

hp_good() {
	printf '%s\r\n' \
		'init: trixie, kernel 6.12.113+deb13-s390x, mode hotplug, uptime 2.10s' \
		'LOAD begin threads=4 messages=64 bits=2048' \
		'STEP unplug-card READY' \
		'STEP unplug-card seen after 0.62 s in sysfs' \
		'STEP unplug-card lszcrypt shows it after 1.9 s (2 lszcrypt runs, the last 1.10 s): 0a absent, 03 online' \
		'STEP plug-card READY' \
		'STEP plug-card seen after 1.48 s in sysfs' \
		'STEP plug-card lszcrypt shows it after 1.9 s (2 lszcrypt runs, the last 1.10 s): 0a online' \
		'STEP checkstop READY' \
		'STEP checkstop seen after 0.35 s in sysfs' \
		'STEP checkstop lszcrypt shows it after 1.9 s (2 lszcrypt runs, the last 1.10 s): 03 offline' \
		'STEP busy READY' \
		'STEP busy queue 03.0005 moves after 0.20 s (5 requests; load answered 40)' \
		'STEP config-off RUN chzcrypt --config-off 0a' \
		'STEP config-off seen after 0.90 s in sysfs' \
		'STEP config-off lszcrypt shows it after 1.9 s (2 lszcrypt runs, the last 1.10 s): 0a deconfig' \
		'LOAD requests=1200 answered=1200 ok=1200 wrong=0 failed=0 unanswered=0 twice=0 longest_ms=950' \
		'apload[load]: 6 passed, 0 failed' \
		'STEP end READY' \
		'init: exit 0'
}

hp_host() {
	printf '%s\n' \
		'HOST step unplug-card: x-apvirt-mdev-unassign {"kind": "adapter", "id": 10} -> ok (2.1 ms)' \
		'HOST step plug-card: x-apvirt-mdev-assign {"kind": "adapter", "id": 10} -> ok (2.3 ms)' \
		'HOST step checkstop: x-apvirt-inject-fault {"fault": "checkstop", "adapter": 3} -> ok (0.4 ms)' \
		'HOST step busy: x-apvirt-inject-fault {"fault": "busy", "adapter": 3, "domain": 5} -> ok (0.3 ms)' \
		'HOST step end: x-apvirt-mdev-unassign {"kind": "adapter", "id": 10} -> ok (1.2 ms)' \
		'HOST step end: x-apvirt-mdev-unassign {"kind": "adapter", "id": 3} -> ok (1.0 ms)' \
		'HOST step end: query-settled {} -> ok (0.5 ms)' \
		'HOST queue 03.0005 requests=700 replies=690 discarded=10 queued=0 waiting=0 rc=0 in-guest=1' \
		'HOST queue 0a.0005 requests=515 replies=510 discarded=5 queued=0 waiting=0 rc=0 in-guest=1' \
		'HOST queue 10.0005 requests=0 replies=0 discarded=0 queued=0 waiting=0 rc=0 in-guest=0' \
		'HOST balance pins=0 isc-registrations=0 vm-refs=1 hooks=1 hook-calls=0 zero=0' \
		'HOST cfg-notifications=4' \
		'HOST check ok' \
		'HOST done: 5 steps, 0 errors'
}

hp_good >"$tmp/hp.log"
hp_host >"$tmp/hp.host"
expect_hp pass "a good reconfiguration run" "$tmp/hp.log" "$tmp/hp.host"

hp_good | sed '/^STEP plug-card seen/d' >"$tmp/hp-missing.log"
expect_hp fail "a change the guest never saw" "$tmp/hp-missing.log" "$tmp/hp.host" \
	"step plug-card: the guest saw the change 0 times"

hp_good | sed '/^STEP checkstop seen/p' >"$tmp/hp-twice.log"
expect_hp fail "a change reported twice" "$tmp/hp-twice.log" "$tmp/hp.host" \
	"step checkstop: the guest saw the change 2 times"

hp_good | sed 's/^STEP plug-card seen after 1.48 s/STEP plug-card seen after 2.01 s/' \
	>"$tmp/hp-slow.log"
expect_hp fail "a change seen too late" "$tmp/hp-slow.log" "$tmp/hp.host" \
	"step plug-card: the guest saw the change after 2.01 s"

hp_good | sed 's/moves after 0.20 s/moves after 5.70 s/' >"$tmp/hp-busy.log"
expect_hp fail "a busy queue that stays stuck too long" "$tmp/hp-busy.log" "$tmp/hp.host" \
	"step busy: the guest saw the change after 5.70 s"

hp_good | sed 's/^STEP config-off seen .*/STEP config-off not seen in sysfs within 45 s/' \
	>"$tmp/hp-notseen.log"
expect_hp fail "a change not seen at all" "$tmp/hp-notseen.log" "$tmp/hp.host" \
	"step config-off: the guest saw the change 0 times"

hp_good | sed 's/^STEP unplug-card lszcrypt shows it .*/STEP unplug-card lszcrypt does not show it within 55 s (30 lszcrypt runs, the last 1.8 s): 0a online (waiting)/' \
	>"$tmp/hp-nolsz.log"
expect_hp fail "a change lszcrypt never shows" "$tmp/hp-nolsz.log" "$tmp/hp.host" \
	"step unplug-card: lszcrypt shows it .after \\? s; 0 lines"

hp_host | sed 's/^\(HOST step checkstop: .*\) -> ok .*/\1 -> error: adapter 0x03 is not in the host/' \
	>"$tmp/hp-err.host"
expect_hp fail "a host command refused" "$tmp/hp.log" "$tmp/hp-err.host" \
	"step checkstop: no host error: .*-> error: adapter 0x03"

hp_host | sed '/^HOST step busy/d' >"$tmp/hp-nobusy.host"
expect_hp fail "a host step that never ran" "$tmp/hp.log" "$tmp/hp-nobusy.host" \
	"step busy: the host's commands succeeded .0."

hp_host | sed 's/^HOST done: .*/HOST step zz: no commands for this step\nHOST done: 6 steps, 1 errors/' \
	>"$tmp/hp-unknown.host"
expect_hp fail "a step the host had no commands for" "$tmp/hp.log" "$tmp/hp-unknown.host" \
	"the host driver saw every step once: HOST step zz"

hp_good | sed 's/ ok=1200 / ok=1199 /; s/ failed=0 / failed=1 /' >"$tmp/hp-failed.log"
expect_hp fail "a request that failed" "$tmp/hp-failed.log" "$tmp/hp.host" "load: 1 requests failed"

hp_good | sed 's/ answered=1200 / answered=1199 /; s/ unanswered=0 / unanswered=1 /' \
	>"$tmp/hp-lost.log"
expect_hp fail "a request never answered (lost)" "$tmp/hp-lost.log" "$tmp/hp.host" \
	"load: 1 requests unanswered"

hp_good | sed 's/ twice=0 / twice=1 /' >"$tmp/hp-dupguest.log"
expect_hp fail "a request answered twice in the guest" "$tmp/hp-dupguest.log" "$tmp/hp.host" \
	"load: 1 requests twice"

hp_good | sed 's/ ok=1200 wrong=0 / ok=1198 wrong=2 /' >"$tmp/hp-wrong.log"
expect_hp fail "answers that are not the request's result" "$tmp/hp-wrong.log" "$tmp/hp.host" \
	"load: 2 requests wrong"

hp_host | sed 's/^HOST queue 03.0005 requests=700 replies=690 /HOST queue 03.0005 requests=701 replies=691 /' \
	>"$tmp/hp-dup.host"
expect_hp fail "a reply delivered twice (host replies exceed the guest's answers)" "$tmp/hp.log" \
	"$tmp/hp-dup.host" "host: 1201 replies delivered = 1200 requests answered"

hp_host | sed 's/ discarded=10 / discarded=9 /' >"$tmp/hp-leak.host"
expect_hp fail "a request the device lost (requests exceed replies + discarded)" "$tmp/hp.log" \
	"$tmp/hp-leak.host" "host: requests 1215 = replies 1200 \+ discarded by resets 14"

hp_host | sed 's/ requests=515 replies=510 discarded=5 queued=0 / requests=516 replies=510 discarded=5 queued=1 /' \
	>"$tmp/hp-queued.host"
expect_hp fail "a request still queued at the end" "$tmp/hp.log" "$tmp/hp-queued.host" \
	"nothing left in the queues at the end .1 queued"

hp_host | sed '/^HOST queue /d' >"$tmp/hp-noq.host"
expect_hp fail "no host counts" "$tmp/hp.log" "$tmp/hp-noq.host" "the host reported its queues .0."

hp_host | sed 's/ pins=0 / pins=1 /' >"$tmp/hp-pins.host"
expect_hp fail "a page left pinned" "$tmp/hp.log" "$tmp/hp-pins.host" "balance pins=1"

hp_host | sed 's/ isc-registrations=0 / isc-registrations=1 /' >"$tmp/hp-isc.host"
expect_hp fail "an ISC left registered" "$tmp/hp.log" "$tmp/hp-isc.host" "balance isc-registrations=1"

hp_host | sed '/^HOST balance/d' >"$tmp/hp-nobal.host"
expect_hp fail "no balance" "$tmp/hp.log" "$tmp/hp-nobal.host" "the balance reported once .0."

hp_host | sed 's/^HOST check ok/HOST check failed: queue 03.0005 has irq on without a pin/' \
	>"$tmp/hp-check.host"
expect_hp fail "a failed invariant check" "$tmp/hp.log" "$tmp/hp-check.host" \
	"invariant checks .HOST check failed"

hp_good | sed '/^LOAD requests=/d' >"$tmp/hp-noload.log"
expect_hp fail "no count from the load generator" "$tmp/hp-noload.log" "$tmp/hp.host" \
	"count printed 0 times"

hp_host | sed 's/^HOST done: .*/HOST done: 5 steps, 1 errors/' >"$tmp/hp-done.host"
expect_hp fail "the host driver ended with an error" "$tmp/hp.log" "$tmp/hp-done.host" \
	"ended without an error"

expect_hp fail "no host log" "$tmp/hp.log" "$tmp/absent.host" "no host log"

# ---- the coprocessor machines (--require) ----------------------------------

# shellcheck source=qemu/e2e-coproc.sh
. "$coproc"

# expect_co pass|fail WHAT KIND LOG [REASON]: judged as e2e.sh judges the
# KIND machine (its labels, every check ID it requires).
expect_co() {
	local want=$1 what=$2 kind=$3 log=$4 why=${5:-} rc ids id opts=()
	ids=coproc_checks_$kind
	for id in ${!ids}; do opts+=(--require "$id"); done
	bash "$check" --name t "${opts[@]}" "$log" 0 "coproc[$kind]" "pkeytest[$kind]" >"$tmp/out" 2>&1
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

# A good coprocessor log: every ID passed once, the programs' summaries.
good_co() {
	local kind=$1 ids=coproc_checks_$1 id n=0
	printf '%s\r\n' "init: forky, kernel 7.2.12+deb14-s390x, mode $kind, uptime 2.10s"
	for id in ${!ids}; do
		printf 'PASS: %s: what %s checks\r\n' "$id" "$id"
		n=$((n + 1))
	done
	printf '%s\r\n' "coproc[$kind]: $n passed, 0 failed" "pkeytest[$kind]: 3 passed, 0 failed" \
		'init: exit 0'
}

# expect_each KIND LOG WHAT REASON-SUFFIX: one checker run on a log where
# every required check is broken the same way; each ID must be rejected by
# its own FAIL line ("ID<suffix>").
expect_each() {
	local kind=$1 log=$2 what=$3 suffix=$4 ids=coproc_checks_$1 id re opts=()
	for id in ${!ids}; do opts+=(--require "$id"); done
	bash "$check" --name t "${opts[@]}" "$log" 0 "coproc[$kind]" "pkeytest[$kind]" >"$tmp/out" 2>&1
	for id in ${!ids}; do
		re=$(printf '%s' "$id" | sed 's/\./\\./g')
		if grep -Eq "^FAIL: t: $re$suffix" "$tmp/out"; then
			echo "PASS $kind: check $id $what"
			passed=$((passed + 1))
		else
			echo "FAIL $kind: check $id $what: not rejected for it"
			sed 's/^/    /' "$tmp/out"
			failed=$((failed + 1))
		fi
	done
}

for kind in cca ep11; do
	good_co "$kind" >"$tmp/co.log"
	expect_co pass "a good $kind log" "$kind" "$tmp/co.log"
	grep -v '^PASS: ' "$tmp/co.log" >"$tmp/co-miss.log"
	expect_each "$kind" "$tmp/co-miss.log" missing ": passed 0 times"
	sed 's/^PASS: /FAIL: /' "$tmp/co.log" >"$tmp/co-fail.log"
	expect_each "$kind" "$tmp/co-fail.log" failed " failed: what"
	good_co "$kind" | sed "0,/^PASS: /{/^PASS: /p}" >"$tmp/co-twice.log"
	expect_co fail "$kind: a check printed twice" "$kind" "$tmp/co-twice.log" "passed 2 times"
	good_co "$kind" | sed "/^pkeytest/d" >"$tmp/co-nosum.log"
	expect_co fail "$kind: pkeytest's summary missing" "$kind" "$tmp/co-nosum.log" \
		"pkeytest.$kind.: summary printed 0 times"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
