#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end test of apvirt under QEMU TCG: the s390x kernels and userland
# of several Debian releases (e2e.conf: E2E_RELEASES) find Crypto Express
# accelerators emulated by the AP device and use them through zcrypt, the
# s390-tools, libica and OpenSSL. Per release, four machines:
#
#   bringup     newest machine type with the device: interrupts, RSA ME/CRT
#               against the host's results, lszcrypt/chzcrypt/icainfo,
#               OpenSSL through libica, request counters guest = device
#   hotplug     the device reconfigured while RSA requests run: card and
#               domain hot unplug/plug and a checkstop and a busy queue
#               through QMP (qemu/e2e-drive.py), chzcrypt --config-off/on
#               in the guest; every request answered once, host counts
#               and balance
#   nodevice    newest machine type, AP in the CPU model, no device
#   oldmachine  an older machine type whose CPU model has no AP
#
#   qemu/e2e.sh                 everything
#   qemu/e2e.sh --build-only    stop before booting
#   qemu/e2e.sh --release REL   only that release
#
# QEMU comes from qemu/build.sh (cached there); E2E_QEMU names a binary to
# use instead. Work files go to $E2E_DIR (default build-e2e; one run at a
# time per directory: a second run waits for the first), downloads to
# ${XDG_CACHE_HOME:-$HOME/.cache}/apvirt-qemu. Each guest log is judged by
# qemu/e2e-check.sh. The last line is "e2e: N passed, N failed"; the exit
# status is 0 only if nothing failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=qemu/e2e.conf
. "$here/e2e.conf"

work=${E2E_DIR:-$top/build-e2e}
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/apvirt-qemu
mode=full
only=
t_start=$(date +%s)

while [ $# -gt 0 ]; do
	case "$1" in
	--build-only) mode=build; shift ;;
	--release) only=${2:?}; shift 2 ;;
	*) echo "usage: $0 [--build-only] [--release REL]" >&2; exit 2 ;;
	esac
done
[ -z "$only" ] || E2E_RELEASES=$only

say() { echo "e2e: $*"; }
die() { echo "e2e: error: $*" >&2; exit 1; }

# shellcheck source=qemu/e2e-fetch.sh
. "$here/e2e-fetch.sh"
# shellcheck source=qemu/e2e-guest.sh
. "$here/e2e-guest.sh"
# shellcheck source=qemu/e2e-pkey.sh
. "$here/e2e-pkey.sh"
# shellcheck source=qemu/e2e-coproc.sh
. "$here/e2e-coproc.sh"

# ---- host packages ----------------------------------------------------------

host_pkgs=(gcc make meson ninja-build pkg-config python3 libssl-dev libjansson-dev openssl cpio gzip xz-utils
	zstd binutils gcc-s390x-linux-gnu libc6-dev-s390x-cross dpkg-dev debian-archive-keyring bison flex)

pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

deps() {
	local missing=() p
	for p in "${host_pkgs[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "needs root to install: ${missing[*]}"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- libapvirt and QEMU -------------------------------------------------------

# A release build of the shared library; QEMU finds it through
# LD_LIBRARY_PATH. Warnings are make check's business: an -O3-only warning
# must not stop this run.
build_lib() {
	local b=$work/lib opts=(--buildtype=release -Ddebug_locks=false -Dwerror=false)
	if [ ! -f "$b/build.ninja" ] || [ "$(cat "$b/.e2e-setup" 2>/dev/null)" != "$top ${opts[*]}" ]; then
		rm -rf "$b"
		meson setup "$b" "$top" "${opts[@]}" >"$work/lib-setup.log" 2>&1 ||
			{ tail -20 "$work/lib-setup.log"; die "meson setup of libapvirt failed"; }
		echo "$top ${opts[*]}" >"$b/.e2e-setup"
	fi
	meson compile -C "$b" apvirt:shared_library >"$work/lib-build.log" 2>&1 ||
		{ tail -30 "$work/lib-build.log"; die "building libapvirt failed"; }
	# qemu/build.sh links this one (pkg-config): headers from the source
	# tree (version.h from the build tree), the library from the build tree.
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

# QEMU from qemu/build.sh (built once, cached; make e2e has run its qtest,
# the AP instructions' exceptions in supervisor state, just before).
# E2E_QEMU names a binary to use instead.
find_qemu() {
	if [ -n "${E2E_QEMU:-}" ]; then
		qemu=$E2E_QEMU
	else
		[ -x "$here/build.sh" ] || die "no qemu/build.sh and no E2E_QEMU"
		"$here/build.sh" >"$work/qemu-build.out" 2>"$work/qemu-build.log" ||
			{ tail -40 "$work/qemu-build.log"; die "qemu/build.sh failed"; }
		qemu=$(sed -n '$p' "$work/qemu-build.out")
	fi
	[ -x "$qemu" ] || die "no QEMU binary at '$qemu'"
	say "QEMU: $qemu ($("$qemu" --version | sed -n 1p); $(grep -o 'using QEMU .*' "$work/qemu-build.log" 2>/dev/null || echo "given by E2E_QEMU"))"
	# The alias names the newest machine type; the log says which it is.
	say "machine $E2E_MACHINE is $("$qemu" -M help | awk -v m="$E2E_MACHINE" '$1 == m { print $NF }' | tr -d ')')"
}

# The device, in one place: the host's adapters and domains as an object
# (what the host's administrator set up, with the mdev as defined by
# mdevctl define --jsonfile), the guest's device on the ap-bus, and the
# device's shutdown trace (counters, resource balance, invariant checks).
device_args() {
	local controls
	controls=$(printf '%s\n' $E2E_DOMAINS $E2E_CONTROL_DOMAINS | sort -u | tr '\n' ' ')
	printf '%s\n' -object "apvirt-ap-host,id=ap0,cards=$(id_list "$E2E_HOST_CARDS"),domains=$(id_list "$E2E_DOMAINS"),control-domains=$(id_list "$controls"),hwtype=$E2E_HWTYPE,mdevctl=$work/mdev.json" \
		-device ap-apvirt,host=ap0 \
		-trace ap_apvirt_stats -trace ap_apvirt_queue -trace ap_apvirt_balance \
		-trace ap_apvirt_check -trace apvirt_ap_host_log
}

write_mdev_json() {
	local sep="" id
	{
		printf '{"mdev_type": "vfio_ap-passthrough", "start": "auto", "attrs": ['
		for id in $E2E_CARDS; do printf '%s{"assign_adapter": "0x%s"}' "$sep" "$id"; sep=", "; done
		for id in $E2E_DOMAINS; do printf '%s{"assign_domain": "0x%s"}' "$sep" "$id"; done
		for id in $E2E_CONTROL_DOMAINS; do printf '%s{"assign_control_domain": "0x%s"}' "$sep" "$id"; done
		printf ']}\n'
	} >"$work/mdev.json"
}

# "03 0a" -> "0x03:0x0a", the device's list syntax.
id_list() {
	local out="" id
	for id in $1; do out+="${out:+:}0x$id"; done
	echo "$out"
}

# The ccw machine always starts its firmware, s390-ccw.img, even with
# -kernel; Debian ships it in qemu-system-data (all architectures). The
# newest that downloads, from the newest release on.
fetch_firmware() {
	local rel got d=$cache/firmware
	mkdir -p "$d/debs"
	for rel in $(echo "$E2E_RELEASES" | tr ' ' '\n' | tac); do
		got=$(fetch_newest "$rel" qemu-system-data "$d/debs") || continue
		bios_dir=$d/${got#* }/usr/share/qemu
		if [ ! -f "$bios_dir/s390-ccw.img" ]; then
			rm -rf "$d/${got#* }"
			dpkg-deb -x "$(deb_file "$d/debs" qemu-system-data "${got#* }")" "$d/${got#* }"
		fi
		[ -f "$bios_dir/s390-ccw.img" ] || die "no s390-ccw.img in qemu-system-data ${got#* }"
		say "firmware: $got from $rel"
		return 0
	done
	die "no qemu-system-data downloads"
}

# ---- host-side test data --------------------------------------------------------

# RSA vectors and a signature made by the host's OpenSSL: what the guest
# computes must equal them.
host_data() {
	gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$work/mkvectors" "$here/guest/mkvectors.c" -lcrypto
	"$work/mkvectors" 1024 2048 4096 >"$work/vectors.txt"
	"$work/mkvectors" -m 64 2048 >"$work/load.txt"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/sign.key" 2>/dev/null
	openssl pkey -in "$work/sign.key" -pubout -out "$work/sign.pub"
	head -c 4000 /dev/urandom >"$work/sign.msg"
	openssl dgst -sha256 -sign "$work/sign.key" -out "$work/sign.sig" "$work/sign.msg"
	s390x-linux-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-o "$work/aptest" "$here/guest/aptest.c" 2>"$work/aptest-build.log" ||
		{ cat "$work/aptest-build.log"; die "cross-compiling aptest failed"; }
	s390x-linux-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
		-o "$work/apload" "$here/guest/apload.c" 2>"$work/apload-build.log" ||
		{ cat "$work/apload-build.log"; die "cross-compiling apload failed"; }
}

# ---- guest runs -------------------------------------------------------------------

count_results() {
	local out=$1
	cat "$out"
	passed=$((passed + $(grep -c '^PASS: ' "$out" || true)))
	failed=$((failed + $(grep -c '^FAIL: ' "$out" || true)))
}

# run_machine REL KIND: boots REL's kernel and initramfs on the machine
# KIND (bringup, nodevice, oldmachine) and judges the log.
run_machine() {
	local rel=$1 kind=$2 log=$work/$1/$2.log machine=$E2E_MACHINE cpu=max dev=() rc=0 t0 labels=()
	local append="console=ttysclp0 quiet panic=1 e2e.mode=$kind e2e.speed=$E2E_SPEED_SECS e2e.multi=$E2E_SPEED_MULTI"
	local opts=() qmpdir="" dpid=""
	case "$kind" in
	bringup)
		mapfile -t dev < <(device_args)
		labels=('aptest[bringup]' 'tools[bringup]' 'aptest[counters]' 'aptest[unbound]')
		opts=(--counters)
		;;
	hotplug)
		mapfile -t dev < <(device_args)
		# A short path: a unix socket's name has at most 107 bytes.
		qmpdir=$(mktemp -d)
		dev+=(-qmp "unix:$qmpdir/qmp.sock,server=on,wait=off")
		append+=" e2e.threads=$E2E_LOAD_THREADS e2e.busy=$(awk -v m="$E2E_BUSY_MS" 'BEGIN { print m / 1000 }')"
		append+=" e2e.watch=$E2E_WATCH_SECS"
		labels=('apload[ready]' 'apload[load]' 'apload[end]')
		local st
		for st in $hp_guest_steps; do labels+=("apload[$st]"); done
		opts=(--hotplug "$log.host" --steps "$hp_guest_steps" --host-steps "$hp_host_steps"
			--max-change "$E2E_CHANGE_MAX_SECS")
		;;
	cca | ep11) coproc_machine "$kind" ;;
	nodevice) labels=('aptest[nodevice]' 'tools[nodevice]') ;;
	oldmachine)
		machine=$E2E_OLD_MACHINE
		cpu=qemu
		labels=('aptest[oldmachine]' 'tools[oldmachine]')
		;;
	esac
	say "$rel: $kind: -M $machine -cpu $cpu ${dev[*]}"
	t0=$(date +%s.%N)
	timeout -k 10 "$E2E_TIMEOUT" "$qemu" -L "$bios_dir" -M "$machine" -accel tcg,thread=multi \
		-cpu "$cpu" -smp "$E2E_SMP" -m "$E2E_MEM" -nographic -no-reboot \
		-kernel "$work/$rel/vmlinuz" -initrd "$work/$rel/initramfs.gz" -append "$append" \
		"${dev[@]}" </dev/null >"$log" 2>&1 &
	local tpid=$!
	if [ "$kind" = hotplug ]; then
		mapfile -t steps < <(hotplug_steps)
		python3 "$here/e2e-drive.py" --qmp "$qmpdir/qmp.sock" --log "$log" --host ap0 \
			"${steps[@]}" >"$log.host" 2>&1 &
		dpid=$!
	fi
	[ "$kind" = bringup ] && profile_speed "$tpid" "$log" "$work/$rel/perf.data"
	wait "$tpid" || rc=$?
	if [ -n "$dpid" ]; then
		wait "$dpid" || true
		rm -rf "$qmpdir"
	fi
	run_secs=$(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }')
	tr -d '\r' <"$log" | sed 's/^/  | /'
	[ -f "$log.host" ] && sed 's/^/  > /' "$log.host"
	say "$rel: $kind: QEMU exited with $rc after ${run_secs}s"
	"$here/e2e-check.sh" --name "$rel $kind" "${opts[@]}" "$log" "$rc" "${labels[@]}" \
		>"$log.check" || true
	case "$kind" in
	bringup | cca | ep11) device_checks "$rel $kind" "$log" >>"$log.check" ;;
	# Every card has left the guest before it ends: no queue to report.
	hotplug) device_checks "$rel $kind" "$log" | grep -v "ZAPQ at unload" >>"$log.check" ;;
	esac
	count_results "$log.check"
}

# The reconfiguration machine's steps: those the guest times (lszcrypt or a
# queue's counter), and the host's QMP commands for those it acts on (see
# qemu/guest/hotplug.sh for what the guest expects of each).
hp_guest_steps="unplug-card plug-card unplug-domain plug-domain checkstop checkstop-end busy config-off config-on"
hp_host_steps="unplug-card plug-card unplug-domain plug-domain checkstop checkstop-end busy end"

hotplug_steps() {
	local a b d1 d2
	read -r a b _ <<<"$E2E_CARDS"
	read -r d1 d2 _ <<<"$E2E_DOMAINS"
	a=$((16#$a)) b=$((16#$b)) d1=$((16#$d1)) d2=$((16#$d2))
	printf '%s\n' \
		--step "unplug-card=x-apvirt-mdev-unassign {\"kind\": \"adapter\", \"id\": $b}" \
		--step "plug-card=x-apvirt-mdev-assign {\"kind\": \"adapter\", \"id\": $b}" \
		--step "unplug-domain=x-apvirt-mdev-unassign {\"kind\": \"domain\", \"id\": $d2}" \
		--step "plug-domain=x-apvirt-mdev-assign {\"kind\": \"domain\", \"id\": $d2}" \
		--step "checkstop=x-apvirt-inject-fault {\"fault\": \"checkstop\", \"adapter\": $a}" \
		--step "checkstop-end=x-apvirt-inject-fault {\"fault\": \"none\", \"adapter\": $a}" \
		--step "busy=x-apvirt-inject-fault {\"fault\": \"busy\", \"adapter\": $a, \"domain\": $d1, \"duration-ms\": $E2E_BUSY_MS}" \
		--step "end=x-apvirt-mdev-unassign {\"kind\": \"adapter\", \"id\": $b};x-apvirt-mdev-unassign {\"kind\": \"adapter\", \"id\": $a};query-settled"
}

# What the device's shutdown trace must say after a run with adapters.
device_checks() {
	local name=$1 log=$2 v
	dcheck() { if grep -Eq "$2" "$log"; then echo "PASS: $name: $1"; else echo "FAIL: $name: $1"; fi; }
	dcheck "the device's KVM invariants hold at shutdown" 'ap_apvirt_check.*kvm check ok'
	dcheck "the device's vfio_ap invariants hold at shutdown" 'ap_apvirt_check.*vfio_ap check ok'
	dcheck "the resource balance is zero after the mdev is detached" \
		'ap_apvirt_balance.*after detach.*zero=1'
	v=$(sed -n 's/.*pqap_intercepts=\([0-9]*\).*/\1/p' "$log" | sed -n 1p)
	dcheck "AQIC went through the PQAP intercept (${v:-no} intercepts)" 'pqap_intercepts=[1-9]'
	v=$(sed -n 's/.* injected=\([0-9]*\).*/\1/p' "$log" | sed -n 1p)
	dcheck "adapter interruptions reached the guest (${v:-no} injected)" ' injected=[1-9]'
	if grep -Eq 'ap_apvirt_queue.* irq=1' "$log"; then
		echo "FAIL: $name: a queue still has interrupts on after the driver's ZAPQ"
	else
		dcheck "the driver's ZAPQ at unload left interrupts off on every queue" 'ap_apvirt_queue.* irq=0'
	fi
}

# Samples the QEMU process (all its threads: vCPUs, device, workers) with
# perf while the guest runs its one-process openssl speed, if perf works
# here; figures() splits the samples by where the code lives.
profile_speed() {
	local tpid=$1 log=$2 out=$3 qpid="" ppid=""
	rm -f "$out"
	command -v perf >/dev/null || return 0
	while kill -0 "$tpid" 2>/dev/null; do
		[ -n "$qpid" ] || qpid=$(ps -o pid= --ppid "$tpid" | tr -d ' ' | sed -n 1p)
		if [ -z "$ppid" ] && grep -q 'speed-begin processes=1' "$log" 2>/dev/null && [ -n "$qpid" ]; then
			perf record -q -e cpu-clock -F 499 -p "$qpid" -o "$out" >/dev/null 2>&1 &
			ppid=$!
		fi
		if [ -n "$ppid" ] && grep -q '^FIGURE speed processes=1' "$log" 2>/dev/null; then
			kill -INT "$ppid" 2>/dev/null
			wait "$ppid" 2>/dev/null || true
			return 0
		fi
		sleep 0.5
	done
	[ -z "$ppid" ] || { kill -INT "$ppid" 2>/dev/null; wait "$ppid" 2>/dev/null || true; }
}

# "NAME PERCENT" per group of where the sampled code lives.
profile_split() {
	perf report -i "$1" --sort dso --stdio 2>/dev/null | awk -v q="${qemu##*/}" '
		/^#/ || NF < 2 { next }
		{ p = $1; sub(/%/, "", p); d = $2
		  if (d ~ /^\[unknown\]|^\[JIT\]|perf-[0-9]+\.map/) g = "TCG-generated guest code"
		  else if (d == q) g = "QEMU (TCG helpers, softmmu, device)"
		  else if (d ~ /^libapvirt/) g = "libapvirt (AP model, vfio_ap, KVM)"
		  else if (d ~ /^libcrypto/) g = "host OpenSSL (arithmetic)"
		  else if (d ~ /kernel/) g = "host kernel"
		  else g = "other (" d ")"
		  s[g] += p }
		END { for (g in s) printf "%5.1f%% %s\n", s[g], g }' | sort -rn
}

# ---- figures ------------------------------------------------------------------------

# sign/s of "rsa 2048 bits" in an openssl speed table (stdin), the column
# found by its header.
speed_sign() {
	awk '/sign\/s/ { for (i = 1; i <= NF; i++) if ($i == "sign/s") col = i }
		col && $1 == "rsa" && $2 == "2048" && $3 == "bits" { print $(col + 3); exit }'
}

host_speed() {
	local multi=$1 opt=()
	[ "$multi" -gt 1 ] && opt=(-multi "$multi")
	openssl speed -elapsed -seconds "$E2E_SPEED_SECS" "${opt[@]}" rsa2048 2>/dev/null | speed_sign
}

ratio_line() {
	awk -v g="$1" -v h="$2" -v m="$E2E_MIN_RATIO" 'BEGIN {
		if (g == "" || h == "" || h == 0) { print "n/a (NOT met)"; exit }
		r = g / h; printf "%.2f (target >= %s: %s)", r, m, ((r >= m) ? "met" : "NOT met") }'
}

figures() {
	local rel=$1 log=$work/$1/bringup.log ready lat g1 gm log_clean
	[ -f "$log" ] || return 0
	log_clean=$(tr -d '\r' <"$log")
	ready=$(sed -n 's/^FIGURE ready uptime_s=\([0-9.]*\).*/\1/p' <<<"$log_clean")
	lat=$(sed -n 's/^FIGURE latency rsa2048_crt_us=\([0-9]*\).*/\1/p' <<<"$log_clean")
	g1=$(sed -n 's/^SPEED\[1\] //p' <<<"$log_clean" | speed_sign)
	gm=$(sed -n "s/^SPEED\\[$E2E_SPEED_MULTI\\] //p" <<<"$log_clean" | speed_sign)
	say "figure: $rel: boot to ready ${ready:-n/a} s (guest uptime when every queue was bound with interrupts on)"
	say "figure: $rel: RSA-2048 sign/s, 1 process: guest via ibmca ${g1:-n/a}, host OpenSSL $host1: $(ratio_line "$g1" "$host1")"
	say "figure: $rel: RSA-2048 sign/s, $E2E_SPEED_MULTI processes: guest via ibmca ${gm:-n/a}, host OpenSSL $hostm: $(ratio_line "$gm" "$hostm")"
	awk -v lat="$lat" -v g="$g1" -v h="$host1" -v rel="$rel" 'BEGIN {
		if (lat == "" || g == "" || h == "") { print "e2e: figure: " rel ": request time: n/a"; exit }
		arith = 1e6 / h; call = 1e6 / g
		printf "e2e: figure: %s: one RSA-2048 CRT sign: %.0f us through openssl+ibmca = library (OpenSSL, libica under TCG) %.0f + request %.0f us (ioctl to reply, one caller) = guest kernel, TCG, device %.0f + host arithmetic %.0f\n",
			rel, call, call - lat, lat, lat - arith, arith }'
	hotplug_figures "$rel"
	if [ -s "$work/$rel/perf.data" ]; then
		say "figure: $rel: QEMU's host CPU time during the one-process openssl speed (perf, cpu-clock samples):"
		profile_split "$work/$rel/perf.data" | sed "s/^/e2e: figure: $rel:   /"
	fi
}

# The reconfiguration machine: how long each change took to show in the
# guest, the requests sent and answered, and the host's counts.
hotplug_figures() {
	local rel=$1 log=$work/$1/hotplug.log line
	[ -f "$log" ] || return 0
	line=$(tr -d '\r' <"$log" | sed -nE 's/^STEP ([a-z-]+) (seen|queue [0-9a-f.]+ moves) after ([0-9.]+) s.*/\1 \3 s/p' |
		paste -sd, - | sed 's/,/, /g')
	say "figure: $rel: reconfiguration, time until lszcrypt shows the change (busy: until the queue takes requests again; limit $E2E_CHANGE_MAX_SECS s): ${line:-n/a}"
	line=$(tr -d '\r' <"$log" | sed -n 's/^LOAD requests=/requests=/p' | sed -n 1p)
	say "figure: $rel: reconfiguration, guest load ($E2E_LOAD_THREADS callers): ${line:-n/a}"
	[ -f "$log.host" ] || return 0
	line=$(awk '/^HOST queue / { for (i = 4; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } }
		END { printf "requests=%d replies=%d discarded=%d queued=%d waiting=%d", s["requests"],
			s["replies"], s["discarded"], s["queued"], s["waiting"] }' "$log.host")
	say "figure: $rel: reconfiguration, host (all queues): $line; $(sed -n 's/^HOST balance //p' "$log.host" | sed -n 1p); $(sed -n 's/^HOST cfg-notifications=/config-change notifications /p' "$log.host" | sed -n 1p)"
}

# ---- main ------------------------------------------------------------------------------

passed=0
failed=0
mkdir -p "$work" "$cache"
exec {work_lock}>"$work/.lock"
if ! flock -n "$work_lock"; then
	say "another e2e run is using $work; waiting for it"
	flock "$work_lock"
fi
deps
build_lib
find_qemu
write_mdev_json
host_data
coproc_build_tools
exec {cache_lock}>"$cache/.lock"
flock "$cache_lock"
for rel in $E2E_RELEASES; do gapt_update "$rel"; done
fetch_firmware
for rel in $E2E_RELEASES; do
	mkdir -p "$work/$rel"
	prepare_release "$rel"
	coproc_prepare "$rel"
	build_initramfs "$rel"
done
flock -u "$cache_lock"
say "prepared in $(($(date +%s) - t_start))s"
[ "$mode" = build ] && exit 0

for rel in $E2E_RELEASES; do
	for kind in $E2E_KINDS; do run_machine "$rel" "$kind"; done
done
# The host's OpenSSL on the same operation, while no guest runs.
host1=$(host_speed 1)
hostm=$(host_speed "$E2E_SPEED_MULTI")
say "figure: host OpenSSL $(openssl version | cut -d' ' -f1-2): RSA-2048 sign/s $host1 (1 process), $hostm ($E2E_SPEED_MULTI processes)"
for rel in $E2E_RELEASES; do figures "$rel"; done
say "wall time $(($(date +%s) - t_start))s"
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
