#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The end-to-end run's host driver (qemu/e2e-drive.py) against a stand-in
# QMP server and a console log written while it runs: it must send each
# step's commands with the host object added, when and only when the guest
# announces the step; print the query's counts; and report a refused
# command, a step announced twice, one without commands and one never
# announced as errors.
set -u
drive=@E2E_DRIVE@
tmp=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {
	if grep -Eq -- "$2" "$3"; then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1: no line matching '$2' in"
		sed 's/^/    /' "$3"
		failed=$((failed + 1))
	fi
}
check_not() {
	if grep -Eq -- "$2" "$3"; then
		echo "FAIL $1: a line matches '$2'"
		sed 's/^/    /' "$3"
		failed=$((failed + 1))
	else
		echo "PASS $1"
		passed=$((passed + 1))
	fi
}

# A QMP server: greeting, then "return" for everything but adapter 99
# (an error) and x-query-apvirt (counts); logs each command it got.
cat >"$tmp/server.py" <<'EOF'
import json, os, socket, sys
path, got = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(1)
c, _ = s.accept()
f = c.makefile("rwb")
f.write(b'{"QMP": {"version": {}, "capabilities": []}}\n')
f.flush()
with open(got, "w") as g:
    for line in f:
        m = json.loads(line)
        g.write(json.dumps(m, sort_keys=True) + "\n")
        g.flush()
        if m["execute"] == "x-query-apvirt":
            r = {"queues": [{"adapter": 3, "domain": 5, "in-guest": True, "requests": 10,
                             "replies": 9, "discarded": 1, "queued": 0, "replies-waiting": 0,
                             "rc": 0, "irq-enabled": False}],
                 "balance": {"pins": 0, "isc-registrations": 0, "vm-refs": 1, "hooks": 1,
                             "hook-calls": 0, "zero": False},
                 "cfg-notifications": 3, "check": ""}
            f.write(json.dumps({"return": r}).encode() + b"\n")
        elif m.get("arguments", {}).get("id") == 99:
            f.write(b'{"error": {"class": "GenericError", "desc": "adapter 0x63 is not in the host"}}\n')
        else:
            f.write(b'{"event": "SOMETHING", "data": {}}\n{"return": {}}\n')
        f.flush()
EOF
python3 "$tmp/server.py" "$tmp/qmp.sock" "$tmp/got" &
srv=$!
: >"$tmp/log"
(
	sleep 0.5
	printf 'boot\r\nSTEP plug READY\r\n' >>"$tmp/log"
	sleep 0.5
	printf 'STEP bad READY\r\nSTEP plug READY\r\nSTEP unknown READY\r\nSTEP end READY\r\n' >>"$tmp/log"
	sleep 0.3
	printf 'init: exit 0\r\n' >>"$tmp/log"
) &
timeout 30 python3 "$drive" --qmp "$tmp/qmp.sock" --log "$tmp/log" --host ap0 \
	--step 'plug=x-apvirt-mdev-assign {"kind": "adapter", "id": 10}' \
	--step 'bad=x-apvirt-mdev-assign {"kind": "adapter", "id": 99}' \
	--step 'end=query;x-apvirt-mdev-unassign {"kind": "adapter", "id": 3}' \
	--step 'never=query' >"$tmp/out" 2>&1
rc=$?
wait

if [ "$rc" = 1 ]; then
	echo "PASS the driver exits 1 after errors"
	passed=$((passed + 1))
else
	echo "FAIL the driver exited $rc (wanted 1)"
	failed=$((failed + 1))
fi
check "capabilities negotiated first" '"execute": "qmp_capabilities"' <(sed -n 1p "$tmp/got")
check "a step's command gets the host object" \
	'"arguments": \{"host": "ap0", "id": 10, "kind": "adapter"\}, "execute": "x-apvirt-mdev-assign"' "$tmp/got"
check "the command is reported ok" '^HOST step plug: x-apvirt-mdev-assign .* -> ok \(' "$tmp/out"
check "a refused command is reported with QMP's words" \
	'^HOST step bad: .* -> error: adapter 0x63 is not in the host$' "$tmp/out"
check "a step announced twice is an error" '^HOST step plug: announced twice$' "$tmp/out"
check "a step without commands is an error" '^HOST step unknown: no commands for this step$' "$tmp/out"
check "a step never announced is an error" '^HOST step never: never announced by the guest$' "$tmp/out"
check "query: per-queue counts" \
	'^HOST queue 03\.0005 requests=10 replies=9 discarded=1 queued=0 waiting=0 rc=0 in-guest=1$' "$tmp/out"
check "query: balance" \
	'^HOST balance pins=0 isc-registrations=0 vm-refs=1 hooks=1 hook-calls=0 zero=0$' "$tmp/out"
check "query: invariant checks" '^HOST check ok$' "$tmp/out"
check "the query comes before the step's next command" \
	'query' <(grep -E '^HOST step end:' "$tmp/out" | sed -n 1p)
check "commands run in order: the unassign after the query" \
	'x-apvirt-mdev-unassign' <(grep -E '^HOST step end:' "$tmp/out" | sed -n 2p)
n=$(grep -c '"x-apvirt-mdev-assign"' "$tmp/got")
check "the twice-announced step ran its commands once (2 assigns: plug and bad; got $n)" \
	'^2$' <(echo "$n")
check "the summary counts the errors" '^HOST done: 4 steps, 4 errors$' "$tmp/out"
check_not "no Python traceback" 'Traceback' "$tmp/out"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
