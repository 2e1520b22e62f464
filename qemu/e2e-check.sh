#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Judges one guest run of the end-to-end test from its console log, so that
# a run can only pass by printing what a good run prints:
#
#   qemu/e2e-check.sh [--name NAME] [--counters] LOG STATUS LABEL...
#
#   LOG       everything QEMU wrote (guest console and device messages)
#   STATUS    QEMU's exit status (124: killed by timeout)
#   LABEL     a summary the run must print exactly once, with no failure and
#             at least one pass: "LABEL: N passed, N failed", e.g.
#             aptest[bringup]. A labelled summary not asked for fails too.
#   --counters  the guest's "COUNT queue XX.YYYY N" lines (the kernel's
#             request counters) must equal the device's per-queue
#             "queue XX.YYYY requests=N" lines, queue by queue
#
# Besides: QEMU must exit 0 (a timeout, a crash or a signal fails), the log
# must hold no kernel panic, oops, BUG, warning or crashed program, and the
# guest's init must end with exactly one "init: exit 0" after every summary.
#
# Prints one "PASS: NAME: ..." or "FAIL: NAME: ..." line per check; exits 1
# if any check failed, 2 on bad usage.
set -u

name=guest
counters=0
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=${2:?}; shift 2 ;;
	--counters) counters=1; shift ;;
	--) shift; break ;;
	-*) echo "e2e-check: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 2 ]; then
	echo "usage: e2e-check.sh [--name NAME] [--counters] LOG STATUS LABEL..." >&2
	exit 2
fi
log=$1
status=$2
shift 2
if [ ! -r "$log" ]; then
	echo "FAIL: $name: no log $log"
	exit 1
fi

# The console turns newlines into CR LF.
clean=$(mktemp)
trap 'rm -f "$clean"' EXIT
tr -d '\r' <"$log" >"$clean"
log=$clean

failed=0
result() {
	if [ "$1" = 0 ]; then
		echo "PASS: $name: $2"
	else
		echo "FAIL: $name: $2"
		failed=1
	fi
}
ok() { "$@" >/dev/null 2>&1 && echo 0 || echo 1; }

# QEMU's own end.
case "$status" in
0) result 0 "QEMU exited normally" ;;
124) result 1 "QEMU timed out" ;;
*) result 1 "QEMU exited with status $status" ;;
esac

# Anything that says the guest kernel or one of its programs crashed.
crash_re='Kernel panic|Oops[:[]|BUG: |WARNING: CPU|Call Trace:|Unable to handle kernel|'
crash_re+='segfault at|Segmentation fault|Illegal instruction|Aborted|User process fault|'
crash_re+='Attempted to kill init|core dumped'
crash=$(grep -E -m1 "$crash_re" "$log")
result "$(ok [ -z "$crash" ])" "no crash in the log${crash:+: $crash}"

# Labelled summaries: each asked-for label exactly once, clean; no others.
summary_re='^[A-Za-z0-9_-]+\[[A-Za-z0-9_-]+\]: [0-9]+ passed, [0-9]+ failed$'
last_summary=0
declare -A wanted=()
for label in "$@"; do
	wanted[$label]=1
	lines=$(awk -v l="$label: " 'index($0, l) == 1 &&
		substr($0, length(l) + 1) ~ /^[0-9]+ passed, [0-9]+ failed$/ { print NR ":" $0 }' "$log")
	n=$(printf '%s' "$lines" | grep -c .)
	if [ "$n" != 1 ]; then
		result 1 "$label: summary printed $n times (wanted once)"
		continue
	fi
	ln=${lines%%:*}
	[ "$ln" -gt "$last_summary" ] && last_summary=$ln
	p=$(printf '%s' "$lines" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
	f=$(printf '%s' "$lines" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
	r=1
	[ "$f" = 0 ] && [ "$p" -gt 0 ] && r=0
	result "$r" "$label: $p passed, $f failed"
done
while read -r line; do
	label=${line%%: *}
	[ -n "${wanted[$label]:-}" ] || result 1 "unexpected summary: $line"
done < <(grep -E "$summary_re" "$log")

# The guest's init passes its programs' status through, as its last word.
exits=$(grep -nE '^init: exit [0-9]+$' "$log")
n=$(printf '%s' "$exits" | grep -c .)
if [ "$n" != 1 ]; then
	result 1 "init: exit line printed $n times (wanted once)"
else
	ln=${exits%%:*}
	code=${exits##* }
	result "$(ok [ "$code" = 0 ])" "init exited with status $code"
	result "$(ok [ "$ln" -gt "$last_summary" ])" "init's exit line comes after every summary"
fi

# The guest kernel's request counters against the device's.
if [ "$counters" = 1 ]; then
	declare -A dev=()
	while read -r q v; do
		dev[$q]=$v
	done < <(grep -v '^COUNT ' "$log" |
		sed -nE 's/.*queue ([0-9a-f]{2}\.[0-9a-f]{4}) .*requests=([0-9]+).*/\1 \2/p')
	nq=0
	while read -r q v; do
		nq=$((nq + 1))
		result "$(ok [ "${dev[$q]:-none}" = "$v" ])" \
			"queue $q: guest kernel counted $v requests, the device ${dev[$q]:-none}"
	done < <(sed -nE 's/^COUNT queue ([0-9a-f]{2}\.[0-9a-f]{4}) ([0-9]+)$/\1 \2/p' "$log")
	result "$(ok [ "$nq" -gt 0 ])" "the guest reported request counters ($nq queues)"
fi

exit "$failed"
