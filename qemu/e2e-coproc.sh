# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by qemu/e2e.sh: the coprocessor machines, a CCA card (cca) and an
# EP11 card (ep11), used by the guest's own software: zcrypt's queries
# (serial number, master key and wrapping key states in sysfs, lszcrypt -s
# and -c), its hardware random number generator, libica's RSA on a CCA-only
# configuration, and the protected-key interface (/dev/pkey, paes) through
# the pkey modules built by e2e-pkey.sh.
#
#   coproc_wanted             true if E2E_KINDS has a coprocessor machine
#   coproc_prepare REL        pkey modules for REL's kernel, dmsetup
#   coproc_initramfs REL DIR  their part of the initramfs
#   coproc_machine KIND       sets dev, append, labels and opts of run_machine
#
# Needs from the caller: $cache, $here, $work, say(), die(), the fetch and
# initramfs helpers (fetch_userland_pkg, unpack_selected, lib_closure,
# copy_modules, mod_field), rel_root and rel_kver, and e2e.conf.

coproc_wanted() {
	case " $E2E_KINDS " in
	*" cca "* | *" ep11 "*) return 0 ;;
	esac
	return 1
}

# Userland the coprocessor machines add: dmsetup (a paes dm-crypt volume).
coproc_pkgs=(dmsetup)

coproc_prepare() {
	local rel=$1 g=$cache/guest/$1 p got v
	coproc_wanted || return 0
	pkey_build "$rel"
	for p in "${coproc_pkgs[@]}"; do
		[ -f "$rel_root/.files/$p" ] && continue
		got=$(fetch_userland_pkg "$rel" "$p" "$g/debs") || die "$rel: no version of $p downloads"
		read -r _ v _ <<<"$got"
		unpack_selected "$g/debs" "$p" "$v" "$rel_root"
		say "$rel: $got"
	done
}

# The pkey modules in the kernel's extra/ directory with the kernel modules
# they and the volume need; pkeytest, the guest script, dmsetup and its
# libraries.
coproc_initramfs() {
	local rel=$1 i=$2 mdir m dep deps=() f
	coproc_wanted || return 0
	mdir=$(modules_dir "$rel_root")
	mkdir -p "$i/usr/lib/modules/$rel_kver/extra"
	for m in "$rel_pkey_dir"/*.ko; do
		cp "$m" "$i/usr/lib/modules/$rel_kver/extra/"
		for dep in $(mod_field "$m" depends | tr ',' ' '); do
			[ -f "$rel_pkey_dir/$dep.ko" ] || deps+=("$dep")
		done
	done
	copy_modules "$mdir" "$i/usr/lib/modules/$rel_kver" "${deps[@]}" dm-crypt loop
	f=$(find "$rel_root/sbin" "$rel_root/usr/sbin" -maxdepth 1 -name dmsetup -type f 2>/dev/null | sed -n 1p || true)
	[ -n "$f" ] || die "$rel: no dmsetup in the unpacked packages"
	cp "$f" "$i/usr/sbin/dmsetup"
	for f in $(lib_closure "$rel" "$f" | sort -u); do
		cp -L "$f" "$i/usr/lib/s390x-linux-gnu/"
	done
	printf '%s\n' $E2E_COPROC_CHECKS >"$i/etc/e2e/coproc.checks"
	cp "$work/pkeytest" "$i/usr/bin/pkeytest"
	cp "$here/guest/coproc.sh" "$i/usr/bin/e2e-coproc"
	chmod 755 "$i/usr/bin/e2e-coproc"
}

coproc_build_tools() {
	coproc_wanted || return 0
	s390x-linux-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-o "$work/pkeytest" "$here/guest/pkeytest.c" 2>"$work/pkeytest-build.log" ||
		{ cat "$work/pkeytest-build.log"; die "cross-compiling pkeytest failed"; }
}

# The mdev of a coprocessor machine: its one card and E2E_DOMAINS.
coproc_mdev_json() {
	local card=$1 out=$2 id
	{
		printf '{"mdev_type": "vfio_ap-passthrough", "start": "auto", "attrs": ['
		printf '{"assign_adapter": "0x%s"}' "$card"
		for id in $E2E_DOMAINS; do printf ', {"assign_domain": "0x%s"}' "$id"; done
		for id in $E2E_CONTROL_DOMAINS; do printf ', {"assign_control_domain": "0x%s"}' "$id"; done
		printf ']}\n'
	} >"$out"
}

# What each check of the coprocessor machines prints as its ID (the guest
# prints "PASS: ID: ..."); e2e-check.sh requires each of E2E_COPROC_CHECKS
# (e2e.conf) exactly once, passed; the guest skips the others.
coproc_checks_cca="lszcrypt.cca.type lszcrypt.cca.serial lszcrypt.cca.mk sysfs.cca.mkvps
	hwrng.zcrypt hwrng.read zcrypt.cca.rsa libica.cca.rsa libica.cca.signature pkey.modules
	pkey.open pkey.cca.mkvp pkey.cca.genseck pkey.cca.verifykey pkey.cca.genseck2
	pkey.cca.verifykey2 pkey.cca.sec2protk pkey.cca.kblob2protk3 pkey.cca.verifyprotk
	paes.open paes.rw paes.encrypted paes.reopen"
coproc_checks_ep11="lszcrypt.ep11.type lszcrypt.ep11.serial lszcrypt.ep11.wk sysfs.ep11.info
	pkey.modules pkey.open pkey.ep11.wkvp pkey.ep11.genseck2 pkey.ep11.verifykey2
	pkey.ep11.kblob2protk3"

# coproc_machine KIND: the device (mode cca or ep11 on the one card of
# E2E_CCA_CARD / E2E_EP11_CARD), the guest's arguments and what the log
# must show.
coproc_machine() {
	local kind=$1 card controls id req
	case "$kind" in
	cca) card=$E2E_CCA_CARD req=$coproc_checks_cca ;;
	ep11) card=$E2E_EP11_CARD req=$coproc_checks_ep11 ;;
	*) die "no coprocessor machine $kind" ;;
	esac
	coproc_mdev_json "$card" "$work/mdev-$kind.json"
	controls=$(printf '%s\n' $E2E_DOMAINS $E2E_CONTROL_DOMAINS | sort -u | tr '\n' ' ')
	dev=(-object "apvirt-ap-host,id=ap0,cards=0x$card,domains=$(id_list "$E2E_DOMAINS"),control-domains=$(id_list "$controls"),hwtype=$E2E_HWTYPE,mode=$kind,mdevctl=$work/mdev-$kind.json"
		-device ap-apvirt,host=ap0
		-trace ap_apvirt_stats -trace ap_apvirt_queue -trace ap_apvirt_balance
		-trace ap_apvirt_check -trace apvirt_ap_host_log)
	read -r id _ <<<"$E2E_DOMAINS"
	append+=" e2e.coproc=$card.$id"
	labels=("coproc[$kind]" "pkeytest[$kind]")
	opts=()
	for id in $req; do
		case " $(echo $E2E_COPROC_CHECKS) " in
		*" $id "*) opts+=(--require "$id") ;;
		esac
	done
}
