#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build qemu-system-s390x with apvirt's AP series (qemu/patches/) from
# Debian's QEMU source, cache it, and print its path on the last line.
#
#   qemu/build.sh               build (or find in the cache); print the path
#   qemu/build.sh --print-path  the same (kept for scripts that say so)
#   qemu/build.sh --qtest       also build and run the AP qtest; prints
#                               "qtest: N passed, N failed" before the path
#
# The version comes from qemu/qemu.conf (QEMU_VERSIONS, newest first): the
# first one whose source downloads and takes the series is used. Its source
# is a git repository (tag "pristine" = Debian's tree; the series is applied
# with git am on top) next to a persistent build tree, both under
# ${XDG_CACHE_HOME:-$HOME/.cache}/apvirt-qemu/qemu-<version>/, so a change
# of one patch rebuilds only what it touches; ccache covers the rest. The
# finished binary is kept under .../apvirt-qemu/bin/<key>/, the key being
# the hash of the version, the configure options, the series and libapvirt's
# public headers. Runs for the same version take a lock on its tree.
#
# libapvirt comes from pkg-config (PKG_CONFIG_PATH) when the caller built
# it; otherwise it is built here (release, shared) in $APVIRT_QEMU_WORK/lib
# (default build-qemu/lib in the checkout). QEMU links it dynamically: run
# the binary with that directory in LD_LIBRARY_PATH.
#
# Diagnostics go to stderr; stdout has only the summary and the path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=qemu/qemu.conf
. "$here/qemu.conf"

cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/apvirt-qemu
work=${APVIRT_QEMU_WORK:-$top/build-qemu}
patches=("$here"/patches/*.patch)
# Bumped when this script changes what it builds.
recipe=3
run_qtest=0

for a in "$@"; do
	case "$a" in
	--qtest) run_qtest=1 ;;
	--print-path) ;;
	*) echo "usage: $0 [--qtest] [--print-path]" >&2; exit 2 ;;
	esac
done

say() { echo "qemu-build: $*" >&2; }
die() { echo "qemu-build: error: $*" >&2; exit 1; }
t_start=$(date +%s)

# ---- packages ---------------------------------------------------------------

# meson >= 1.5 (bookworm-backports), libfdt-dev (or meson clones dtc),
# the s390x cross compiler only for the guest side, not needed here.
pkgs=(gcc make git pkg-config python3 python3-venv ninja-build libglib2.0-dev
	zlib1g-dev libfdt-dev flex bison dpkg-dev ccache meson)
apt_list=/etc/apt/sources.list.d/apvirt-qemu.sources

pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
meson_new_enough() {
	local v
	v=$(meson --version 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge 1.5.0
}

# The QEMU source comes from sid's source index only (no binaries), meson
# from bookworm-backports (pinned low by the archive: only what is asked
# for with -t comes from there).
add_apt_sources() {
	[ -f "$apt_list" ] && return 1
	cat >"$apt_list" <<-EOF
		# apvirt qemu/build.sh: QEMU source (sid, source only), meson (backports)
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: sid
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

deps() {
	local missing=() p
	for p in "${pkgs[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	if [ "${#missing[@]}" -eq 0 ] && [ -f "$apt_list" ] && meson_new_enough; then
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]} and meson >= 1.5"
	export DEBIAN_FRONTEND=noninteractive
	add_apt_sources || true
	say "apt-get update"
	apt-get update -qq >&2
	if [ "${#missing[@]}" -gt 0 ]; then
		say "installing ${missing[*]}"
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	if ! meson_new_enough; then
		say "installing meson from bookworm-backports"
		apt-get install -y -qq --no-install-recommends -t bookworm-backports meson >/dev/null
	fi
	meson_new_enough || die "meson >= 1.5 is not available"
}

# ---- libapvirt --------------------------------------------------------------

# The caller's libapvirt if pkg-config finds one, else a release build here.
ensure_lib() {
	if pkg-config --exists apvirt 2>/dev/null; then
		libdir=$(pkg-config --libs-only-L apvirt | sed -n 's/^-L\([^ ]*\).*/\1/p')
		return 0
	fi
	local b=$work/lib opts=(--buildtype=release -Ddebug_locks=false -Dwerror=false)
	mkdir -p "$work"
	if [ ! -f "$b/build.ninja" ] || [ "$(cat "$b/.setup" 2>/dev/null)" != "$top ${opts[*]}" ]; then
		rm -rf "$b"
		meson setup "$b" "$top" "${opts[@]}" >"$work/lib-setup.log" 2>&1 ||
			{ tail -20 "$work/lib-setup.log" >&2; die "meson setup of libapvirt failed"; }
		echo "$top ${opts[*]}" >"$b/.setup"
	fi
	meson compile -C "$b" apvirt:shared_library >"$work/lib-build.log" 2>&1 ||
		{ tail -30 "$work/lib-build.log" >&2; die "building libapvirt failed"; }
	mkdir -p "$b/pc"
	cat >"$b/pc/apvirt.pc" <<-EOF
		Name: apvirt
		Description: apvirt from its build tree
		Version: $(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$top/meson.build" | sed -n 1p)
		Libs: -L$b -lapvirt
		Cflags: -I$top/include -I$b/include
	EOF
	export PKG_CONFIG_PATH=$b/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
	libdir=$b
}

# ---- QEMU source --------------------------------------------------------------

# Debian's tree (its own patches applied by dpkg-source) as a git repository
# tagged "pristine", under $cache/qemu-<version>/src. Returns 1 when the
# archive does not serve this version.
fetch_src() {
	local ver=$1 d=$2 tmp
	[ -f "$d/src/.apvirt-pristine" ] && return 0
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	if ! (cd "$tmp" && apt-get source -qq "qemu=$ver" >"$tmp/log" 2>&1); then
		say "QEMU $ver: source not available ($(grep -m1 -o '[0-9]\{3\} *[A-Za-z ]*$' "$tmp/log" || echo 'apt-get source failed'))"
		rm -rf "$tmp"
		return 1
	fi
	local srcdir
	srcdir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | sed -n 1p)
	[ -n "$srcdir" ] || { rm -rf "$tmp"; return 1; }
	git -C "$srcdir" init -q
	git -C "$srcdir" add -A
	git -C "$srcdir" -c user.name=apvirt -c user.email=apvirt@localhost \
		commit -qm "Debian qemu $ver source"
	git -C "$srcdir" tag pristine
	touch "$srcdir/.apvirt-pristine"
	echo "/.apvirt-pristine" >>"$srcdir/.git/info/exclude"
	mkdir -p "$d"
	if ! mv -T "$srcdir" "$d/src" 2>/dev/null; then
		# Another run got there first.
		[ -f "$d/src/.apvirt-pristine" ] || { rm -rf "$tmp"; return 1; }
	fi
	rm -rf "$tmp"
}

# Apply the series in a scratch worktree, then move the real tree to the
# result: files the series does not change keep their timestamps, so the
# persistent build tree rebuilds only what changed. Returns 1 if the series
# does not apply to this version.
apply_series() {
	local src=$1 scratch head
	scratch=$(mktemp -d "$cache/am.XXXXXX")
	rmdir "$scratch"
	git -C "$src" worktree prune
	git -C "$src" worktree add -q --detach "$scratch" pristine
	if ! git -C "$scratch" -c user.name=apvirt -c user.email=apvirt@localhost \
		am -q --committer-date-is-author-date "${patches[@]}" >"$scratch.log" 2>&1; then
		say "the series does not apply:"
		sed 's/^/  /' "$scratch.log" >&2
		git -C "$scratch" am --abort >/dev/null 2>&1 || true
		git -C "$src" worktree remove --force "$scratch"
		rm -f "$scratch.log"
		return 1
	fi
	head=$(git -C "$scratch" rev-parse HEAD)
	git -C "$src" worktree remove --force "$scratch"
	rm -f "$scratch.log"
	git -C "$src" checkout -q --detach "$head"
}

qemu_key() {
	local ver=$1
	{
		echo "recipe $recipe"
		echo "$ver"
		echo "$QEMU_CONFIGURE_OPTS"
		cat "${patches[@]}"
		cat "$top"/include/apvirt/*.h
	} | sha256sum | cut -c1-16
}

# Configure once per tree, option set and libapvirt location (the caller's
# pkg-config file may point at another checkout); ninja re-runs meson by
# itself when a patch touches a meson.build. A changed setting reconfigures
# in place, so objects whose command line stays the same are kept.
configure_qemu() {
	local src=$1 b=$2 cc=gcc opts want
	# shellcheck disable=SC2206
	opts=($QEMU_CONFIGURE_OPTS --enable-apvirt --python=/usr/bin/python3)
	command -v ccache >/dev/null && cc="ccache gcc"
	want="${opts[*]} $cc $(pkg-config --cflags --libs apvirt)"
	if [ -f "$b/build.ninja" ] && [ "$(cat "$b/.apvirt-configure" 2>/dev/null)" = "$want" ]; then
		return 0
	fi
	mkdir -p "$b"
	say "configure ${opts[*]}"
	if ! (cd "$b" && "$src/configure" "${opts[@]}" --cc="$cc" >"$b/../configure.log" 2>&1); then
		say "configure failed in the existing build tree; starting a fresh one"
		rm -rf "$b"
		mkdir -p "$b"
		(cd "$b" && "$src/configure" "${opts[@]}" --cc="$cc" >"$b/../configure.log" 2>&1) ||
			{ tail -30 "$b/../configure.log" >&2; die "QEMU configure failed (log: $b/../configure.log)"; }
	fi
	echo "$want" >"$b/.apvirt-configure"
}

# QEMU sees libapvirt through a pkg-config file of the tree's own, with a
# copy of the public headers and a link to the caller's library directory:
# its compile commands then stay the same whichever checkout calls (a new
# -I path would recompile the whole s390x target). Headers are copied only
# when they changed, so their timestamps mean something to ninja.
stage_lib() {
	local a=$1/apvirt f pc dir keep=" "
	mkdir -p "$a/include/apvirt" "$a/pc"
	# The caller's include directories: the source tree's, and the build
	# tree's for generated headers.
	for dir in $(pkg-config --cflags-only-I apvirt | sed 's/-I//g'); do
		for f in "$dir"/apvirt/*.h; do
			[ -f "$f" ] || continue
			keep+="${f##*/} "
			cmp -s "$f" "$a/include/apvirt/${f##*/}" || cp "$f" "$a/include/apvirt/"
		done
	done
	for f in "$a"/include/apvirt/*.h; do
		[ -e "$f" ] && [ "${keep/ ${f##*/} /}" = "$keep" ] && rm -f "$f"
	done
	ln -sfn "$libdir" "$a/lib"
	pc=$(printf 'Name: apvirt\nDescription: libapvirt for the QEMU build\nVersion: %s\nLibs: -L%s -lapvirt\nCflags: -I%s\n' \
		"$(pkg-config --modversion apvirt)" "$a/lib" "$a/include")
	[ "$(cat "$a/pc/apvirt.pc" 2>/dev/null)" = "$pc" ] || echo "$pc" >"$a/pc/apvirt.pc"
	export PKG_CONFIG_PATH=$a/pc
}

# build_qemu VERSION: sets $bin (and $qtest_bin) or returns 1 when the series
# does not apply to this version.
build_qemu() {
	local ver=$1 d key out lockfd targets
	d=$cache/qemu-${ver#*:}
	key=$(qemu_key "$ver")
	out=$cache/bin/$key
	bin=$out/qemu-system-s390x
	qtest_bin=$out/ap-test
	if [ -x "$bin" ] && { [ "$run_qtest" = 0 ] || [ -x "$qtest_bin" ]; }; then
		say "QEMU $ver cached: $bin"
		return 0
	fi
	mkdir -p "$d"
	exec {lockfd}>"$d/lock"
	if ! flock -n "$lockfd"; then
		say "waiting for another build of QEMU $ver to finish"
		flock "$lockfd"
	fi
	# Another run may have built it while we waited.
	if [ -x "$bin" ] && { [ "$run_qtest" = 0 ] || [ -x "$qtest_bin" ]; }; then
		exec {lockfd}>&-
		return 0
	fi
	say "building QEMU $ver (key $key)"
	apply_series "$d/src" || { exec {lockfd}>&-; return 1; }
	stage_lib "$d"
	export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache} CCACHE_BASEDIR=$d CCACHE_NOHASHDIR=1
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-3G}
	configure_qemu "$d/src" "$d/build"
	grep -q 'libapvirt *: *YES' "$d/configure.log" || die "QEMU configure did not find libapvirt"
	targets=(qemu-system-s390x)
	[ "$run_qtest" = 1 ] && targets+=(tests/qtest/ap-test)
	ninja -C "$d/build" "${targets[@]}" >"$d/build.log" 2>&1 ||
		{ grep -B2 -A12 -E 'error|FAILED' "$d/build.log" | head -80 >&2; die "QEMU build failed (log: $d/build.log)"; }
	mkdir -p "$out"
	cp "$d/build/qemu-system-s390x" "$out/.qemu-system-s390x.$$"
	mv "$out/.qemu-system-s390x.$$" "$bin"
	if [ "$run_qtest" = 1 ]; then
		cp "$d/build/tests/qtest/ap-test" "$out/.ap-test.$$"
		mv "$out/.ap-test.$$" "$qtest_bin"
	fi
	exec {lockfd}>&-
	say "QEMU $ver built in $(($(date +%s) - t_start)) s"
}

# ---- qtest -----------------------------------------------------------------------

run_qtest_bin() {
	local log=$cache/bin/qtest.$$.log rc=0 p f
	say "running the AP qtest"
	QTEST_QEMU_BINARY=$bin LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
		timeout 600 "$qtest_bin" --tap -k >"$log" 2>&1 || rc=$?
	sed 's/^/  /' "$log" >&2
	p=$(grep -c '^ok ' "$log" || true)
	f=$(grep -c '^not ok ' "$log" || true)
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	rm -f "$log"
	echo "qtest: $p passed, $f failed"
	qtest_failed=$f
}

# ---- main ------------------------------------------------------------------------

[ "${#patches[@]}" -gt 0 ] && [ -f "${patches[0]}" ] || die "no patches under $here/patches"
deps
mkdir -p "$cache/bin"
ensure_lib

bin=
used=
for ver in $QEMU_VERSIONS; do
	d=$cache/qemu-${ver#*:}
	if ! fetch_src "$ver" "$d"; then
		continue
	fi
	if build_qemu "$ver"; then
		used=$ver
		break
	fi
	say "QEMU $ver: the series does not apply; trying the next version"
done
[ -n "$used" ] || die "no QEMU version of '$QEMU_VERSIONS' could be fetched and patched"
say "using QEMU $used"

qtest_failed=0
if [ "$run_qtest" = 1 ]; then
	run_qtest_bin
fi
echo "$bin"
[ "$qtest_failed" = 0 ]
