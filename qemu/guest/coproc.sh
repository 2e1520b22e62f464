#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# e2e-coproc MODE CARD DOMAIN: the guest release's own tools against a
# coprocessor card (hex IDs as sysfs names them).
#
#   cca    a CEX8C: lszcrypt shows it as a CCA coprocessor, its serial number
#          (-s) and its current AES master key (-c); the queue's mkvps has a
#          state and a pattern on every AES line (an empty register reads as
#          zeros); zcrypt's hardware RNG is /dev/hwrng's and delivers; RSA
#          through /dev/z90crypt equals the host's results; the
#          release's OpenSSL signs through libica on this CCA-only machine
#          with the host's result and the card's request counter moves; the
#          pkey modules load; a paes dm-crypt volume opens with a secure key
#          from the card, encrypts, and opens again with the same key
#   ep11   a CEX8P: lszcrypt shows it as an EP11 coprocessor, its serial
#          number and its current wrapping key; sysfs has the module's API
#          ordinal and firmware version; the pkey modules load
#
# Each check prints "PASS: ID: ..." or "FAIL: ID: ..." with a stable ID the
# host's checker requires; with E2E_CHECKS naming a file of IDs, a check not
# listed there is not run ("SKIP: ID: ..."). Ends with exactly one line "coproc[MODE]: N
# passed, N failed"; exits non-zero if anything failed.
mode=${1:?usage: e2e-coproc cca|ep11 CARD DOMAIN}
card=${2:?}
dom=${3:?}
ibmca_cnf=/etc/e2e/openssl-ibmca.cnf
ap=/sys/bus/ap/devices
np=0
nf=0

# enabled ID: the check counts (every one without E2E_CHECKS).
enabled() {
	[ -z "${E2E_CHECKS:-}" ] || [ ! -f "$E2E_CHECKS" ] || grep -qxF "$1" "$E2E_CHECKS"
}

# check ID DESCRIPTION COMMAND...: passes if the command succeeds.
check() {
	id=$1
	d=$2
	shift 2
	if ! enabled "$id"; then
		echo "SKIP: $id: $d"
		return 0
	fi
	if "$@"; then
		echo "PASS: $id: $d"
		np=$((np + 1))
		return 0
	fi
	echo "FAIL: $id: $d"
	nf=$((nf + 1))
	return 1
}
# test_all "[ A ]" "[ B ]"...: every test holds.
test_all() {
	for t in "$@"; do
		eval "$t" || return 1
	done
}
show() {
	sed 's/^/    | /' "$1"
}

# Waits up to 60 s for the queue to be bound and online.
wait_queue() {
	n=0
	while [ "$n" -lt 120 ]; do
		[ "$(cat "$ap/$card.$dom/online" 2>/dev/null)" = 1 ] && return 0
		sleep 0.5
		n=$((n + 1))
	done
	return 1
}

# lszcrypt's view: the card's type and mode, its serial number (-s) and
# the master key lines of -c.
lszcrypt_checks() {
	type=$1 mode_word=$2 mk_re=$3 m=$4
	lszcrypt "$card" >/tmp/lsz.out 2>&1
	show /tmp/lsz.out
	check "lszcrypt.$m.type" "lszcrypt: card $card is a $type, $mode_word, online" \
		grep -Eq "^$card +$type +$mode_word +online" /tmp/lsz.out
	lszcrypt -s >/tmp/lszs.out 2>&1
	show /tmp/lszs.out
	serial=$(awk -v c="$card" '$1 == c { print $NF }' /tmp/lszs.out)
	check "lszcrypt.$m.serial" "lszcrypt -s: card $card has serial number '$serial'" \
		sh -c "[ -n '$serial' ] && [ '$serial' != - ] && [ '$serial' = \"\$(cut -c1-8 $ap/card$card/serialnr)\" ]"
	# Newer lszcrypt prints the key lines for a queue (-c CARD.DOMAIN),
	# older ones for a card, whose ID they read with strtol(..., 0).
	lszcrypt -c "$card.$dom" >/tmp/lszc.out 2>&1 || lszcrypt -c "0x$card" >/tmp/lszc.out 2>&1
	show /tmp/lszc.out
	check "lszcrypt.$m.$5" "lszcrypt -c $card.$dom (or 0x$card): the current key is valid ($mk_re)" \
		grep -Eq "$mk_re" /tmp/lszc.out
}

# The queue's mkvps: every AES line has a state word and a hex pattern
# (zkey reads them with %llx: a "-" fails), an empty NEW register zeros.
mkvps_check() {
	f=$ap/card$card/$card.$dom/mkvps
	cat "$f" >/tmp/mkvps.out 2>&1
	show /tmp/mkvps.out
	bad=$(grep -E '^AES' /tmp/mkvps.out | grep -Ev '^AES (NEW|CUR|OLD): [a-z]+ 0x[0-9a-f]{16}$' | sed -n 1p)
	new=$(sed -n 's/^AES NEW: //p' /tmp/mkvps.out)
	check sysfs.cca.mkvps "mkvps: every AES line has a state and a pattern${bad:+ (not: $bad)}; AES NEW is '$new'" \
		sh -c "[ -z '$bad' ] && [ \$(grep -c '^AES' $f) = 3 ] && { [ '$new' = 'empty 0x0000000000000000' ] || [ '${new%% *}' != empty ]; }"
}

hwrng_checks() {
	cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
	check hwrng.zcrypt "zcrypt's RNG is /dev/hwrng's (rng_current '$cur', available '$(cat /sys/class/misc/hw_random/rng_available 2>/dev/null)')" \
		[ "$cur" = zcrypt ]
	dd if=/dev/hwrng of=/tmp/rng bs=4096 count=1 2>/dev/null
	n=$(wc -c </tmp/rng)
	distinct=$(od -An -v -tu1 /tmp/rng | tr -s ' ' '\n' | sed '/^$/d' | sort -u | wc -l)
	check hwrng.read "/dev/hwrng delivered $n bytes, $distinct distinct byte values" \
		test_all "[ $n = 4096 ]" "[ $distinct -gt 200 ]"
}

# RSA ME and CRT through /dev/z90crypt (zcrypt turns the ICA requests into
# CCA ones) against the host's results: libica would fall back to software
# if the card failed, so the card's own answers are checked first.
zcrypt_rsa_check() {
	aptest rsa /etc/e2e/vectors.txt >/tmp/rsa.out 2>&1
	rc=$?
	show /tmp/rsa.out
	check zcrypt.cca.rsa "RSA ME and CRT on the CCA card equal the host's results ($(grep -c '^PASS' /tmp/rsa.out) of $(grep -Ec '^(PASS|FAIL)' /tmp/rsa.out), aptest exit $rc)" \
		[ "$rc" = 0 ]
}

# OpenSSL through libica with only the CCA card: zcrypt turns the ICA
# request into a CCA one; the card's counter must move.
libica_check() {
	before=$(cat "$ap/card$card/request_count")
	OPENSSL_CONF=$ibmca_cnf openssl dgst -sha256 -sign /etc/e2e/sign.key -out /tmp/cca.sig \
		/etc/e2e/sign.msg 2>/tmp/ossl.err
	rc=$?
	[ "$rc" = 0 ] || show /tmp/ossl.err
	n=$(($(cat "$ap/card$card/request_count") - before))
	check libica.cca.rsa "openssl dgst -sign through ibmca (exit $rc) sent $n requests to the CCA card" \
		test_all "[ $rc = 0 ]" "[ $n -ge 1 ]"
	check libica.cca.signature "the signature made on the CCA card = the host's" \
		sh -c '[ "$(sha256sum </tmp/cca.sig)" = "$(sha256sum </etc/e2e/sign.sig)" ]'
}

# The release's kernel has no pkey: the host built it from the kernel's
# source (pkey, and pkey-cca/-ep11/-pckmo where the kernel splits it).
pkey_load() {
	: >/tmp/mod.out
	ok=0
	modprobe pkey >>/tmp/mod.out 2>&1 || ok=1
	for m in pkey-cca pkey-ep11 pkey-pckmo; do
		if [ -n "$(find /usr/lib/modules -name "$m.ko")" ]; then
			modprobe "$m" >>/tmp/mod.out 2>&1 || ok=1
		fi
	done
	show /tmp/mod.out
	check pkey.modules "the pkey modules load ($(sed -n 's/^\(pkey[^ ]*\) .*/\1/p' /proc/modules | tr '\n' ' '| sed 's/ $//')), /dev/pkey exists" \
		sh -c "[ $ok = 0 ] && [ -c /dev/pkey ]"
}

# A paes dm-crypt volume: the table's key is the secure key blob itself.
paes_checks() {
	enabled paes.open || { echo "SKIP: paes.open: a paes dm-crypt volume"; return; }
	modprobe paes_s390 >/tmp/mod.out 2>&1
	modprobe dm_crypt >>/tmp/mod.out 2>&1
	modprobe loop >>/tmp/mod.out 2>&1
	show /tmp/mod.out
	key=$(pkeytest keyhex "$card" "$dom")
	dd if=/dev/zero of=/tmp/vol bs=1M count=4 2>/dev/null
	loop=$(losetup -f)
	losetup "$loop" /tmp/vol
	table="0 8192 crypt paes-cbc-plain64 $key 0 $loop 0"
	dmsetup create e2e-paes --noudevsync --table "$table" >/tmp/dm.out 2>&1
	rc=$?
	show /tmp/dm.out
	dmsetup mknodes >/dev/null 2>&1
	dev=/dev/mapper/e2e-paes
	check paes.open "dmsetup opens a paes-cbc-plain64 volume with a ${#key}-digit secure key (exit $rc)" \
		test_all "[ $rc = 0 ]" "[ -b $dev ]" ||
		{ dmsetup remove e2e-paes >/dev/null 2>&1; losetup -d "$loop"; return; }
	dd if=/etc/e2e/sign.msg of=/tmp/plain bs=4000 count=1 2>/dev/null
	dd if=/tmp/plain of="$dev" bs=4000 count=1 conv=fsync 2>/dev/null
	dd if="$dev" of=/tmp/back bs=4000 count=1 iflag=direct 2>/dev/null
	check paes.rw "what was written through the volume reads back" cmp -s /tmp/plain /tmp/back
	dmsetup remove e2e-paes >/dev/null 2>&1
	dd if="$loop" of=/tmp/raw bs=4000 count=1 2>/dev/null
	check paes.encrypted "the backing device holds something else (ciphertext)" sh -c '! cmp -s /tmp/plain /tmp/raw'
	dmsetup create e2e-paes --noudevsync --table "$table" >/tmp/dm.out 2>&1
	dmsetup mknodes >/dev/null 2>&1
	dd if="$dev" of=/tmp/back2 bs=4000 count=1 iflag=direct 2>/dev/null
	check paes.reopen "opened again with the same secure key, the volume reads back the data" \
		cmp -s /tmp/plain /tmp/back2
	dmsetup remove e2e-paes >/dev/null 2>&1
	losetup -d "$loop"
}

ep11_info_check() {
	api=$(cat "$ap/card$card/API_ordinalnr" 2>/dev/null)
	fw=$(cat "$ap/card$card/FW_version" 2>/dev/null)
	check sysfs.ep11.info "card$card: API ordinal '$api', firmware version '$fw'" \
		sh -c "[ '${api:-0}' -gt 0 ] 2>/dev/null && echo '$fw' | grep -Eq '^[0-9]+\.[0-9]+$'"
}

echo "coproc: $(cat /etc/e2e/release), mode $mode, queue $card.$dom"
if ! wait_queue; then
	echo "FAIL: queue: $card.$dom is not online after 60 s"
	nf=$((nf + 1))
fi
case "$mode" in
cca)
	lszcrypt_checks CEX8C CCA-Coproc 'AES CUR: +valid +0x[0-9a-f]{16}' cca mk
	mkvps_check
	hwrng_checks
	zcrypt_rsa_check
	libica_check
	pkey_load
	paes_checks
	;;
ep11)
	lszcrypt_checks CEX8P EP11-Coproc 'WK CUR: +valid +0x[0-9a-f]{32}' ep11 wk
	ep11_info_check
	pkey_load
	;;
*)
	echo "FAIL: mode: unknown mode $mode"
	nf=$((nf + 1))
	;;
esac
echo "coproc[$mode]: $np passed, $nf failed"
[ "$nf" = 0 ]
