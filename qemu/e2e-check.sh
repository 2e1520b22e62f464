#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Judges one guest run of the end-to-end test from its console log, so that
# a run can only pass by printing what a good run prints:
#
#   qemu/e2e-check.sh [--name NAME] [--counters] [--hotplug HOSTLOG
#                     --steps "STEP..." --host-steps "STEP..." [--max-change S]]
#                     [--require ID]... LOG STATUS LABEL...
#
#   LOG       everything QEMU wrote (guest console and device messages)
#   STATUS    QEMU's exit status (124: killed by timeout)
#   LABEL     a summary the run must print exactly once, with no failure and
#             at least one pass: "LABEL: N passed, N failed", e.g.
#             aptest[bringup]. A labelled summary not asked for fails too.
#   --counters  the guest's "COUNT queue XX.YYYY N" lines (the kernel's
#             request counters) must equal the device's per-queue
#             "queue XX.YYYY requests=N" lines, queue by queue
#   --hotplug HOSTLOG  the reconfiguration run (qemu/e2e-drive.py wrote
#             HOSTLOG): each of --steps was seen by the guest exactly once,
#             "STEP NAME seen after S s" in sysfs (or, for a change sysfs
#             does not show, "STEP NAME queue Q moves after S s") with S at most
#             --max-change (default 2) seconds; the host ran each of
#             --host-steps exactly once without an error; lszcrypt showed
#             each change seen in sysfs ("STEP NAME lszcrypt shows it
#             after T s", T printed, not bounded); the guest's load
#             generator sent requests and every one was answered exactly
#             once with its expected result ("LOAD requests=N ... "); the
#             host's final query holds no queued request or waiting reply,
#             its queues' requests = replies + discarded, its replies =
#             the requests the guest saw answered (one reply per request:
#             none lost, none delivered twice), no pinned page and no ISC
#             registered once every card has left the guest, no hook call in
#             flight, and its invariant checks passed
#   --require ID  (repeatable) the guest printed the check "PASS: ID: ..."
#             exactly once and no "FAIL: ID: ..." (the coprocessor machines'
#             checks, each with a stable ID)
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
hostlog=
steps=
host_steps=
max_change=2
required=()
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=${2:?}; shift 2 ;;
	--counters) counters=1; shift ;;
	--hotplug) hostlog=${2:?}; shift 2 ;;
	--steps) steps=${2:?}; shift 2 ;;
	--host-steps) host_steps=${2:?}; shift 2 ;;
	--max-change) max_change=${2:?}; shift 2 ;;
	--require) required+=("${2:?}"); shift 2 ;;
	--) shift; break ;;
	-*) echo "e2e-check: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 2 ]; then
	echo "usage: e2e-check.sh [--name NAME] [--counters] [--hotplug HOSTLOG --steps STEPS" \
		"--host-steps STEPS [--max-change S]] [--require ID]... LOG STATUS LABEL..." >&2
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

# The reconfiguration run: the guest's view of each change, its requests,
# and the host's counts.
if [ -n "$hostlog" ]; then
	if [ ! -r "$hostlog" ]; then
		result 1 "no host log $hostlog"
		exit 1
	fi
	host=$(mktemp)
	trap 'rm -f "$clean" "$host"' EXIT
	tr -d '\r' <"$hostlog" >"$host"
	for st in $steps; do
		lines=$(grep -E "^STEP $st (seen|queue [0-9a-f.]+ moves) after [0-9.]+ s" "$log")
		n=$(printf '%s' "$lines" | grep -c .)
		if [ "$n" != 1 ]; then
			result 1 "step $st: the guest saw the change $n times (wanted once)"
			continue
		fi
		secs=$(printf '%s' "$lines" | sed -E 's/.* after ([0-9.]+) s.*/\1/')
		result "$(ok awk -v s="$secs" -v m="$max_change" 'BEGIN { exit !(s <= m) }')" \
			"step $st: the guest saw the change after $secs s (at most $max_change s)"
		case "$lines" in *" seen after "*)
			lines=$(grep -E "^STEP $st lszcrypt shows it after [0-9.]+ s" "$log")
			n=$(printf '%s' "$lines" | grep -c .)
			secs=$(printf '%s' "$lines" | sed -nE 's/.* after ([0-9.]+) s.*/\1/p' | sed -n 1p)
			result "$(ok [ "$n" = 1 ])" "step $st: lszcrypt shows it (after ${secs:-?} s; $n lines)" ;;
		esac
	done
	for st in $host_steps; do
		n=$(grep -cE "^HOST step $st: .* -> ok " "$host")
		result "$(ok [ "$n" -ge 1 ])" "step $st: the host's commands succeeded ($n)"
		n=$(grep -cE "^HOST step $st: " "$host")
		bad=$(grep -E "^HOST step $st: " "$host" | grep -v -- '-> ok ' | sed -n 1p)
		result "$(ok [ -z "$bad" ])" "step $st: no host error${bad:+: $bad}"
	done
	bad=$(grep -E '^HOST (error|step [^ ]+: (announced twice|no commands|never announced))' \
		"$host" | sed -n 1p)
	result "$(ok [ -z "$bad" ])" "the host driver saw every step once${bad:+: $bad}"
	n=$(grep -cE '^HOST done: [0-9]+ steps, 0 errors$' "$host")
	result "$(ok [ "$n" = 1 ])" "the host driver ended without an error"

	# The load generator's own count, request by request.
	lines=$(grep -E '^LOAD requests=' "$log")
	n=$(printf '%s' "$lines" | grep -c .)
	if [ "$n" != 1 ]; then
		result 1 "load: the guest's count printed $n times (wanted once)"
		exit 1
	fi
	field() { printf '%s' "$lines" | sed -nE "s/.* $1=([0-9]+).*/\1/p"; }
	lreq=$(printf '%s' "$lines" | sed -nE 's/^LOAD requests=([0-9]+).*/\1/p')
	lok=$(field ok)
	for f in answered ok wrong failed unanswered twice; do
		v=$(field $f)
		case $f in
		answered | ok) result "$(ok [ -n "$v" ] && [ "$v" = "$lreq" ] && [ "$lreq" -gt 0 ])" \
			"load: $f ${v:-?} of ${lreq:-?} requests" ;;
		*) result "$(ok [ "${v:-x}" = 0 ])" "load: ${v:-?} requests $f" ;;
		esac
	done

	# The host's final query: every request the device accepted has an end.
	read -r qn hreq hrep hdis hque hwait < <(awk '
		/^HOST queue / { n++
			for (i = 4; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } }
		END { printf "%d %d %d %d %d %d\n", n, s["requests"], s["replies"], s["discarded"],
			s["queued"], s["waiting"] }' "$host")
	result "$(ok [ "$qn" -gt 0 ])" "the host reported its queues ($qn)"
	result "$(ok [ "$hque" = 0 ] && [ "$hwait" = 0 ])" \
		"host: nothing left in the queues at the end ($hque queued, $hwait replies waiting)"
	result "$(ok [ "$hreq" = $((hrep + hdis + hque + hwait)) ])" \
		"host: requests $hreq = replies $hrep + discarded by resets $hdis + left $((hque + hwait))"
	result "$(ok [ "$hrep" = "${lok:-x}" ])" \
		"host: $hrep replies delivered = ${lok:-?} requests answered in the guest"
	bal=$(grep -E '^HOST balance ' "$host")
	n=$(printf '%s' "$bal" | grep -c .)
	result "$(ok [ "$n" = 1 ])" "host: the balance reported once ($n)"
	for f in pins isc-registrations hook-calls; do
		v=$(printf '%s' "$bal" | sed -nE "s/.* $f=([0-9-]+).*/\1/p" | sed -n 1p)
		result "$(ok [ "${v:-x}" = 0 ])" "host: balance $f=${v:-?} after every card left the guest"
	done
	v=$(grep -E '^HOST check ' "$host" | sed -n 1p)
	result "$(ok [ "$v" = "HOST check ok" ])" "host: invariant checks (${v:-none reported})"
fi

# Checks the guest must have passed by name: once, and never failed (one
# pass over the log for all of them).
if [ "${#required[@]}" -gt 0 ]; then
	while IFS= read -r line; do
		result "${line%% *}" "${line#* }"
	done < <(awk -v ids="${required[*]}" '
		BEGIN { n = split(ids, id, " ") }
		/^(PASS|FAIL): [^ ]+: / {
			k = substr($2, 1, length($2) - 1); rest = substr($0, length($1 $2) + 3)
			if ($1 == "PASS:") { np[k]++; if (!(k in pl)) pl[k] = rest }
			else { nf[k]++; if (!(k in fl)) fl[k] = rest }
		}
		END {
			for (i = 1; i <= n; i++) {
				k = id[i]
				if (nf[k]) print 1, k " failed: " fl[k]
				else if (np[k] == 1) print 0, k ": " pl[k]
				else print 1, k ": passed " (np[k] + 0) " times (wanted once)"
			}
		}' "$log")
fi

exit "$failed"
