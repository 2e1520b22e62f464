#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end test of apvirt under QEMU TCG: an unmodified Debian 12 s390x
# kernel binds zcrypt to adapters emulated by the ap-apvirt device and runs
# RSA through /dev/z90crypt.
#
#   qemu/e2e.sh                 everything: deps, library, QEMU, guest, run, checks
#   qemu/e2e.sh --stock         only the boot without an AP device (AP instructions, empty configuration)
#   qemu/e2e.sh --build-only    stop after building QEMU and the initramfs
#
# Directories: the work tree (library build, guest files, logs) is
# $E2E_DIR (default: build-e2e in the checkout). QEMU comes from
# qemu/build.sh (Debian's source plus qemu/patches/, cached). The
# downloaded guest packages are cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/apvirt-qemu.
#
# The last line is "e2e: N passed, N failed"; the exit status is 0 only if
# nothing failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=qemu/e2e.conf
. "$here/e2e.conf"

work=${E2E_DIR:-$top/build-e2e}
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/apvirt-qemu
mode=full
t_start=$(date +%s)

case "${1:-}" in
--stock) mode=stock ;;
--build-only) mode=build ;;
"") ;;
*) echo "usage: $0 [--stock|--build-only]" >&2; exit 2 ;;
esac

say() { echo "e2e: $*"; }
die() { echo "e2e: error: $*" >&2; exit 1; }

# ---- packages -----------------------------------------------------------

host_pkgs=(gcc make git meson ninja-build pkg-config python3 libssl-dev libjansson-dev libglib2.0-dev
	libpixman-1-dev zlib1g-dev flex bison dpkg-dev ccache cpio gzip
	gcc-s390x-linux-gnu libc6-dev-s390x-cross)

# Source packages come from the machine's own Debian archive: turn its
# existing binary stanzas into binary+source ones. Nothing else is added.
enable_deb_src() {
	local changed=1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		if grep -q '^Types: deb$' "$f"; then
			sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
			changed=0
		fi
	done
	if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list &&
		! grep -q '^deb-src ' /etc/apt/sources.list; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >>/etc/apt/sources.list
		changed=0
	fi
	return $changed
}

# Whole-output tests: grep -q would close the pipe early and pipefail would report it.
src_known() { [ -n "$(apt-cache showsrc qemu 2>/dev/null | sed -n '/^Package: qemu$/p')" ]; }
arch_known() { [ -n "$(dpkg --print-foreign-architectures | sed -n '/^s390x$/p')" ]; }
pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

deps() {
	local missing=() need_update=0 p
	for p in "${host_pkgs[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	arch_known || need_update=1
	src_known || need_update=1
	[ "${#missing[@]}" -eq 0 ] && [ "$need_update" -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "needs root to install: ${missing[*]} (and the s390x architecture, source packages)"
	export DEBIAN_FRONTEND=noninteractive
	arch_known || dpkg --add-architecture s390x
	src_known || enable_deb_src || true
	say "apt-get update"
	apt-get update -qq
	if [ "${#missing[@]}" -gt 0 ]; then
		say "installing ${missing[*]}"
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	src_known || die "no source package for qemu after enabling deb-src"
}

# Package lists may be older than the archive: refresh them once and retry.
apt_retry() {
	"$@" && return 0
	[ "$(id -u)" -eq 0 ] || return 1
	apt-get update -qq && "$@"
}

# ---- libapvirt --------------------------------------------------------------

# A release build of the shared library only; QEMU links it through the
# uninstalled pkg-config file and finds it at run time via LD_LIBRARY_PATH.
build_lib() {
	local b=$work/lib
	# A build directory belongs to one source tree. Warnings are make
	# check's business; here an -O3-only warning must not stop the run.
	local opts=(--buildtype=release -Ddebug_locks=false -Dwerror=false)
	if [ ! -f "$b/build.ninja" ] || [ "$(cat "$b/.e2e-setup" 2>/dev/null)" != "$top ${opts[*]}" ]; then
		rm -rf "$b"
		meson setup "$b" "$top" "${opts[@]}" >"$work/lib-setup.log" 2>&1 ||
			{ tail -20 "$work/lib-setup.log"; die "meson setup of libapvirt failed"; }
		echo "$top ${opts[*]}" >"$b/.e2e-setup"
	fi
	meson compile -C "$b" apvirt:shared_library >"$work/lib-build.log" 2>&1 ||
		{ tail -30 "$work/lib-build.log"; die "building libapvirt failed"; }
	# The public headers sit in the source tree (version.h in the build tree),
	# the library in the build tree.
	mkdir -p "$b/pc"
	cat >"$b/pc/apvirt.pc" <<-EOF
		Name: apvirt
		Description: apvirt from its build tree
		Version: $(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$top/meson.build" | sed -n 1p)
		Libs: -L$b -lapvirt
		Cflags: -I$top/include -I$b/include
	EOF
	export PKG_CONFIG_PATH=$b/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
	export LD_LIBRARY_PATH=$b${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
}

# ---- QEMU --------------------------------------------------------------------

# qemu/build.sh builds (or finds in its cache) qemu-system-s390x with the
# AP series against the libapvirt build_lib made (make e2e has already run
# its qtest).
build_qemu() {
	"$here/build.sh" >"$work/qemu-build.log" 2>&1 ||
		{ tail -40 "$work/qemu-build.log"; die "qemu/build.sh failed"; }
	qemu=$(sed -n '$p' "$work/qemu-build.log")
	[ -x "$qemu" ] || { tail -40 "$work/qemu-build.log"; die "qemu/build.sh printed no binary"; }
	say "QEMU: $qemu ($(grep -o 'using QEMU .*' "$work/qemu-build.log"))"
}

# ---- guest -------------------------------------------------------------------

# Debian's s390x kernel, busybox and libssl, plus the s390-ccw firmware the
# ccw machine always loads first. Downloaded once into the cache.
fetch_guest_pkgs() {
	local g=$cache/guest kpkg
	kpkg=$(apt-cache depends linux-image-s390x:s390x 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*\)/\1/p' | sed -n 1p)
	[ -n "$kpkg" ] || die "cannot resolve the s390x kernel package"
	kpkg=${kpkg%:s390x}
	guest_root=$g/$kpkg/root
	if [ ! -f "$g/$kpkg/.done" ]; then
		say "downloading $kpkg, busybox-static, libssl-dev (s390x), qemu-system-data"
		rm -rf "${g:?}/$kpkg"
		mkdir -p "$g/$kpkg/debs"
		(cd "$g/$kpkg/debs" && apt_retry apt-get download -qq "$kpkg:s390x" busybox-static:s390x \
			libssl-dev:s390x qemu-system-data >"$g/$kpkg/download.log" 2>&1) ||
			{ tail -20 "$g/$kpkg/download.log"; die "apt-get download failed"; }
		for deb in "$g/$kpkg"/debs/*.deb; do
			dpkg -x "$deb" "$guest_root"
		done
		touch "$g/$kpkg/.done"
	fi
	kernel=$(ls "$guest_root"/boot/vmlinuz-* | sed -n 1p)
	modules=$(ls -d "$guest_root"/lib/modules/*/kernel/drivers/s390/crypto)
	bios_dir=$guest_root/usr/share/qemu
	[ -f "$kernel" ] && [ -f "$modules/zcrypt.ko" ] && [ -f "$bios_dir/s390-ccw.img" ] ||
		die "guest packages incomplete under $g/$kpkg"
}

build_guest() {
	local gw=$work/guest i=$work/guest/initramfs id
	mkdir -p "$gw"
	gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$gw/mkvectors" "$here/guest/mkvectors.c" -lcrypto
	s390x-linux-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-I"$guest_root/usr/include" -I"$guest_root/usr/include/s390x-linux-gnu" \
		-o "$gw/aptest" "$here/guest/aptest.c" \
		-L"$guest_root/usr/lib/s390x-linux-gnu" -lcrypto -lpthread 2>"$gw/aptest-link.log" ||
		{ cat "$gw/aptest-link.log"; die "cross-compiling aptest failed"; }
	rm -rf "$i"
	mkdir -p "$i"/{bin,dev,proc,sys,tmp,etc,lib/modules}
	cp "$guest_root/bin/busybox" "$i/bin/"
	cp "$here/guest/init" "$i/init"
	chmod 755 "$i/init"
	cp "$modules/zcrypt.ko" "$modules/zcrypt_cex4.ko" "$i/lib/modules/"
	cp "$gw/aptest" "$i/aptest"
	"$gw/mkvectors" 1024 2048 4096 >"$i/etc/vectors.txt"
	{
		for id in $E2E_CARDS; do echo "card $id"; done
		for id in $E2E_DOMAINS; do echo "domain $id"; done
		echo "type $E2E_TYPE"
	} >"$i/etc/aptest.conf"
	(cd "$i" && find . | cpio -o -H newc --quiet | gzip -1) >"$gw/initramfs.gz"
	# The mdev as an administrator would define it: mdevctl define --jsonfile.
	{
		printf '{"mdev_type": "vfio_ap-passthrough", "start": "auto", "attrs": ['
		local sep=""
		for id in $E2E_CARDS; do printf '%s{"assign_adapter": "0x%s"}' "$sep" "$id"; sep=", "; done
		for id in $E2E_DOMAINS; do printf '%s{"assign_domain": "0x%s"}' "$sep" "$id"; done
		for id in $E2E_DOMAINS; do printf '%s{"assign_control_domain": "0x%s"}' "$sep" "$id"; done
		printf ']}\n'
	} >"$gw/mdev.json"
}

# "03 0a" -> "0x03:0x0a", the device's list syntax.
id_list() {
	local out="" id
	for id in $1; do out+="${out:+:}0x$id"; done
	echo "$out"
}

# run_guest stock|full: boots, logs to $guest_log, sets guest_rc.
run_guest() {
	local append="console=ttysclp0 quiet" dev=()
	if [ "$1" = stock ]; then
		guest_log=$work/stock.log
		append+=" aptest.mode=stock"
	else
		guest_log=$work/guest.log
		append+=" aptest.bench=$E2E_BENCH_SECS aptest.threads=$E2E_BENCH_THREADS"
		dev=(-object "apvirt-ap-host,id=ap0,cards=$(id_list "$E2E_HOST_CARDS"),domains=$(id_list "$E2E_DOMAINS"),hwtype=$E2E_HWTYPE,mdevctl=$work/guest/mdev.json"
			-device ap-apvirt,host=ap0
			-trace ap_apvirt_stats -trace ap_apvirt_queue -trace ap_apvirt_balance
			-trace ap_apvirt_check -trace apvirt_ap_host_log)
	fi
	say "booting the guest, $1 (timeout ${E2E_TIMEOUT}s)"
	guest_rc=0
	timeout "$E2E_TIMEOUT" "$qemu" -L "$bios_dir" -M s390-ccw-virtio -accel tcg,thread=multi \
		-cpu max -smp "$E2E_SMP" -m "$E2E_MEM" -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/guest/initramfs.gz" -append "$append" \
		"${dev[@]}" </dev/null >"$guest_log" 2>&1 || guest_rc=$?
	cat "$guest_log"
}

# ---- checks ------------------------------------------------------------------

passed=0
failed=0
check() {
	local ok=$1
	shift
	if [ "$ok" = 0 ]; then
		echo "PASS: $*"
		passed=$((passed + 1))
	else
		echo "FAIL: $*"
		failed=$((failed + 1))
	fi
}
has() { grep -q -- "$1" "$guest_log"; }
check_has() {
	local r=0
	has "$1" || r=1
	check "$r" "$2"
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$guest_log" | sed -n 1p; }

# Without a device: AP instructions exist, the configuration is empty.
check_stock() {
	check "$([ "$guest_rc" = 0 ]; echo $?)" "QEMU without an AP device exited normally (status $guest_rc)"
	check_has 'guest-init: ap bus present' "without a device the guest still finds AP instructions (ap bus registered)"
}

check_results() {
	local gp=0 gf=0 n=0 line p f
	check "$([ "$guest_rc" = 0 ]; echo $?)" "QEMU exited normally (status $guest_rc)"
	check_has 'guest-init: done' "the guest ran its init to the end"
	while read -r line; do
		p=${line#guest: }
		p=${p%% passed*}
		f=${line##*passed, }
		f=${f%% failed*}
		gp=$((gp + p))
		gf=$((gf + f))
		n=$((n + 1))
	done < <(grep -E '^guest: [0-9]+ passed, [0-9]+ failed' "$guest_log")
	check "$([ "$n" -ge 2 ]; echo $?)" "the guest reported its checks and its after-unload checks ($n summaries)"
	check "$([ "$gf" = 0 ] && [ "$gp" -gt 0 ]; echo $?)" "guest checks: $gp passed, $gf failed"
	local nq
	nq=$(grep -c 'ap_apvirt_queue queue .* irq=0' "$guest_log" || true)
	check "$([ "$nq" -gt 0 ] && ! has 'ap_apvirt_queue queue .* irq=1'; echo $?)" \
		"the driver's ZAPQ at unload left interrupts off on every queue ($nq queues)"
	check_has 'ap_apvirt_balance balance after detach: .* zero=1' "apvirt's resource balance is zero after the mdev is detached"
	check_has 'ap_apvirt_check kvm check ok' "apvirt's KVM invariants hold at shutdown"
	check_has 'ap_apvirt_check vfio_ap check ok' "apvirt's vfio_ap invariants hold at shutdown"
	local intercepts irqs injected
	intercepts=$(field pqap_intercepts)
	irqs=$(field ' interrupts')
	injected=$(field injected)
	check "$([ "${intercepts:-0}" -gt 0 ]; echo $?)" "AQIC went through apvirt's PQAP intercept (${intercepts:-0} intercepts)"
	check "$([ "${injected:-0}" -gt 0 ]; echo $?)" "adapter interruptions reached the guest (${injected:-0} injected, ${irqs:-0} delivered by the GISA)"
	if [ "$E2E_BENCH_SECS" != 0 ]; then
		local ratio
		ratio=$(field ratio)
		# A measurement, not a test: it is printed against its target and
		# only its presence is checked, so a loaded machine cannot fail CI.
		check "$([ -n "$ratio" ]; echo $?)" "the guest measured RSA-2048 via /dev/z90crypt against its own OpenSSL"
		if awk -v r="${ratio:-0}" -v m="$E2E_MIN_RATIO" 'BEGIN { exit !(r >= m) }'; then
			say "speed: RSA-2048 private ops/s via /dev/z90crypt = ${ratio}x guest OpenSSL (target ${E2E_MIN_RATIO}x: met)"
		else
			say "speed: RSA-2048 private ops/s via /dev/z90crypt = ${ratio:-none}x guest OpenSSL (target ${E2E_MIN_RATIO}x: NOT met)"
		fi
	fi
}

# ---- main ----------------------------------------------------------------------

mkdir -p "$work" "$cache"
deps
build_lib
build_qemu
fetch_guest_pkgs
build_guest
say "prepared in $(( $(date +%s) - t_start ))s"
[ "$mode" = build ] && exit 0
run_guest stock
check_stock
if [ "$mode" = full ]; then
	run_guest full
	check_results
fi
say "wall time $(( $(date +%s) - t_start ))s"
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
