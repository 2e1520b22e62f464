# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by qemu/e2e.sh: one guest per Debian release, made of that
# release's own packages (fetched by e2e-fetch.sh):
#
#   prepare_release REL   kernel + userland of REL downloaded and unpacked
#   build_initramfs REL   the initramfs: busybox, the zcrypt modules and what
#                         they depend on, lszcrypt/chzcrypt, icainfo, openssl
#                         with libica's engine or provider, every shared
#                         library these need (ELF NEEDED, recursively), the
#                         release's dynamic loader, aptest and the test data
#
# Needs from the caller: $cache, $here, $work, say(), die(), and the
# variables of e2e.conf.

# Userland packages fetched by name; the libraries they need are found from
# the ELF files themselves.
guest_pkgs=(libc6 busybox-static s390-tools libica-utils openssl openssl-ibmca)
# Programs copied into the guest, by file name.
guest_progs=(busybox lszcrypt chzcrypt icainfo openssl)

# ---- a release's packages ---------------------------------------------------

# Sets rel_root (unpacked packages), rel_kernel (vmlinuz), rel_kver,
# rel_kernel_pkg ("PKG VERSION") for REL. Writes the choices to
# $cache/guest/REL/selected and into the log.
prepare_release() {
	local rel=$1 g=$cache/guest/$1 got p extra=() sel
	mkdir -p "$g/debs"
	sel=$g/selected.new
	got=$(fetch_kernel "$rel" "$g/debs") || die "$rel: no s390x kernel downloads"
	rel_kernel_pkg=$got
	# The first line names how the tree is unpacked: a change re-unpacks it.
	echo "layout 2 (file lists, dependencies)" >"$sel"
	echo "kernel $got" >>"$sel"
	# Libraries found missing by an earlier run are fetched up front.
	[ -f "$g/extra-pkgs" ] && mapfile -t extra <"$g/extra-pkgs"
	madison_load "$rel" "${guest_pkgs[@]}" "${extra[@]}"
	for p in "${guest_pkgs[@]}" "${extra[@]}"; do
		got=$(fetch_userland_pkg "$rel" "$p" "$g/debs") || die "$rel: no version of $p downloads"
		echo "pkg $got" >>"$sel"
	done
	rel_root=$g/root
	if ! cmp -s "$sel" "$rel_root/.selected" 2>/dev/null; then
		say "$rel: unpacking $(wc -l <"$sel") packages"
		rm -rf "$rel_root"
		mkdir -p "$rel_root"
		grep -E '^(kernel|pkg) ' "$sel" | while read -r _ p v _; do
			unpack_selected "$g/debs" "$p" "$v" "$rel_root"
			if [ "$p" = "${rel_kernel_pkg%% *}" ]; then
				local deb dep
				deb=$(deb_file "$g/debs" "$p" "$v")
				for dep in $(deb_depends "$deb" | grep -E '^linux-(binary|modules)-'); do
					unpack_selected "$g/debs" "$dep" "$v" "$rel_root"
				done
			fi
		done
		cp "$sel" "$rel_root/.selected"
	fi
	mv "$sel" "$g/selected"
	grep -E '^(kernel|pkg) ' "$g/selected" | sed "s/^/e2e: $rel: /"
	rel_kernel=$(find "$rel_root/boot" "$rel_root/usr/lib/modules" -maxdepth 2 -name 'vmlinuz*' \
		2>/dev/null | sed -n 1p || true)
	[ -f "$rel_kernel" ] || die "$rel: no vmlinuz in ${rel_kernel_pkg}"
	rel_kver=$(modules_dir "$rel_root")
	rel_kver=${rel_kver##*/}
}

# unpack_selected DEBDIR PKG VERSION ROOT; remembers which package brought
# which file, and what it depends on, to find missing libraries later.
unpack_selected() {
	local deb
	deb=$(deb_file "$1" "$2" "$3")
	[ -n "$deb" ] || die "no file for $2 $3 in $1"
	dpkg-deb -x "$deb" "$4"
	mkdir -p "$4/.files" "$4/.deps"
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's:^\./::' >"$4/.files/$2"
	deb_depends "$deb" >"$4/.deps/$2"
}

modules_dir() {
	find "$1/lib/modules" "$1/usr/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null |
		sed -n 1p || true
}

# ---- shared libraries ---------------------------------------------------------

elf_needed() {
	readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

elf_interp() {
	readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p'
}

# The file of SONAME in ROOT (both the merged and the split /usr layout).
find_lib() {
	local d
	for d in usr/lib/s390x-linux-gnu lib/s390x-linux-gnu usr/lib lib; do
		if [ -e "$1/$d/$2" ]; then
			echo "$1/$d/$2"
			return 0
		fi
	done
	return 1
}

# fetch_lib REL SONAME NEEDER: a library missing from REL's unpacked
# packages. Debian's shlibs make the package of NEEDER depend on the
# package holding SONAME: try its dependencies, the most likely name first
# (libfoo.so.5 -> libfoo5*), and unpack each until SONAME is there.
fetch_lib() {
	local rel=$1 soname=$2 needer=${3#"$rel_root"/} g=$cache/guest/$1 stem owner p got v cands
	stem=$(echo "$soname" | sed 's/\.so\.\([0-9]*\).*/\1/; s/\.so$//')
	owner=$(grep -lxF "$needer" "$rel_root"/.files/* 2>/dev/null | sed -n 1p || true)
	[ -n "$owner" ] || die "$rel: no unpacked package holds $needer"
	mapfile -t cands < <(grep -E '^(lib|zlib)' "$rel_root/.deps/${owner##*/}" |
		awk -v s="$stem" '{ print (index($0, s) == 1 ? 0 : 1), $0 }' | sort | cut -d' ' -f2)
	for p in "${cands[@]}"; do
		[ -f "$rel_root/.files/$p" ] && continue
		got=$(fetch_userland_pkg "$rel" "$p" "$g/debs") || continue
		read -r _ v _ <<<"$got"
		unpack_selected "$g/debs" "$p" "$v" "$rel_root"
		echo "$p" >>"$g/extra-pkgs"
		echo "pkg $got" >>"$rel_root/.selected"
		say "$rel: $soname (for ${owner##*/}): fetched $got"
		find_lib "$rel_root" "$soname" >/dev/null && return 0
	done
	return 1
}

# lib_closure REL FILE...: every shared library the files need, recursively,
# one path per line (the dynamic loader included).
lib_closure() {
	local rel=$1 f s p
	shift
	local queue=("$@")
	declare -A seen=()
	while [ "${#queue[@]}" -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for s in $(elf_needed "$f"); do
			[ -n "${seen[$s]:-}" ] && continue
			p=$(find_lib "$rel_root" "$s") || { fetch_lib "$rel" "$s" "$f" >&2 &&
				p=$(find_lib "$rel_root" "$s"); } ||
				die "$rel: no package provides $s (needed by ${f#"$rel_root"/})"
			seen[$s]=1
			echo "$p"
			queue+=("$p")
		done
	done
}

# ---- kernel modules -------------------------------------------------------------

# The .modinfo field of a (possibly compressed) module.
mod_field() {
	local tmp
	tmp=$(mktemp)
	mod_plain "$1" >"$tmp.ko"
	s390x-linux-gnu-objcopy -O binary --only-section=.modinfo "$tmp.ko" "$tmp" 2>/dev/null
	tr '\0' '\n' <"$tmp" | sed -n "s/^$2=//p"
	rm -f "$tmp" "$tmp.ko"
}

mod_plain() {
	case "$1" in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# copy_modules MODDIR DEST NAME...: the modules and everything they depend
# on, uncompressed (busybox modprobe loads plain .ko files), at their paths.
copy_modules() {
	local mdir=$1 dest=$2 name f rel
	shift 2
	local queue=("$@")
	declare -A done_=()
	while [ "${#queue[@]}" -gt 0 ]; do
		name=${queue[0]}
		queue=("${queue[@]:1}")
		[ -n "${done_[$name]:-}" ] && continue
		done_[$name]=1
		f=$(find "$mdir/kernel" -name "$name.ko*" | sed -n 1p)
		if [ -z "$f" ]; then
			# Built into the kernel: nothing to load.
			grep -q "/$name.ko\$" "$mdir/modules.builtin" 2>/dev/null && continue
			die "module $name not in ${mdir##*/}"
		fi
		rel=${f#"$mdir"/}
		rel=${rel%.xz}
		rel=${rel%.zst}
		rel=${rel%.gz}
		mkdir -p "$(dirname "$dest/$rel")"
		mod_plain "$f" >"$dest/$rel"
		for name in $(mod_field "$f" depends | tr ',' ' '); do queue+=("$name"); done
	done
}

# ---- the initramfs ----------------------------------------------------------------

# The ibmca engine (openssl-ibmca 1.x, OpenSSL 3.0's engine API) or provider
# (2.x): which the release ships decides which the guest uses.
ibmca_config() {
	local prov eng
	prov=$(find "$rel_root/usr/lib" -name 'ibmca-provider.so' | sed -n 1p)
	eng=$(find "$rel_root/usr/lib" -name 'ibmca.so' -o -name 'libibmca.so' | sed -n 1p)
	if [ -n "$prov" ]; then
		rel_ibmca="provider ${prov#"$rel_root"}"
		cat <<-EOF
			openssl_conf = openssl_init
			[openssl_init]
			providers = provider_sect
			alg_section = evp_properties
			[provider_sect]
			default = default_sect
			ibmca = ibmca_sect
			[default_sect]
			activate = 1
			[ibmca_sect]
			identity = ibmca
			module = ${prov#"$rel_root"}
			activate = 1
			fips = no
			algorithms = RSA
			[evp_properties]
			default_properties = ?provider=ibmca
		EOF
	elif [ -n "$eng" ]; then
		rel_ibmca="engine ${eng#"$rel_root"}"
		cat <<-EOF
			openssl_conf = openssl_init
			[openssl_init]
			engines = engine_sect
			[engine_sect]
			ibmca = ibmca_sect
			[ibmca_sect]
			engine_id = ibmca
			dynamic_path = ${eng#"$rel_root"}
			init = 1
			default_algorithms = RSA
		EOF
	else
		die "openssl-ibmca in $rel_root ships neither an engine nor a provider"
	fi
}

# build_initramfs REL: $work/REL/initramfs.gz and $work/REL/vmlinuz.
build_initramfs() {
	local rel=$1 w=$work/$1 i=$work/$1/initramfs f p files=() mdir ld
	rm -rf "$i"
	mkdir -p "$i"/usr/{bin,sbin,lib/s390x-linux-gnu} "$i"/{dev,proc,sys,tmp,etc/e2e,root}
	ln -s usr/bin "$i/bin"
	ln -s usr/sbin "$i/sbin"
	ln -s usr/lib "$i/lib"
	for p in "${guest_progs[@]}"; do
		f=$(find "$rel_root/bin" "$rel_root/sbin" "$rel_root/usr/bin" "$rel_root/usr/sbin" \
			-maxdepth 1 -name "$p" -type f 2>/dev/null | sed -n 1p || true)
		[ -n "$f" ] || die "$rel: no $p in the unpacked packages"
		files+=("$f")
		case "$f" in
		*/sbin/*) cp "$f" "$i/usr/sbin/" ;;
		*) cp "$f" "$i/usr/bin/" ;;
		esac
	done
	ibmca_config >"$i/etc/e2e/openssl-ibmca.cnf"
	f=$rel_root${rel_ibmca#* }
	files+=("$f")
	mkdir -p "$(dirname "$i${rel_ibmca#* }")"
	cp "$f" "$i${rel_ibmca#* }"
	# The 1.x engine opens libica by name at run time: take the libica the
	# release ships, with what it needs.
	for f in $(find "$rel_root/usr/lib" "$rel_root/lib" -name 'libica.so.[0-9]' 2>/dev/null || true); do
		files+=("$f")
		cp -L "$f" "$i/usr/lib/s390x-linux-gnu/"
	done
	lib_closure "$rel" "${files[@]}" >"$w/libs.txt"
	for f in $(sort -u "$w/libs.txt"); do
		cp -L "$f" "$i/usr/lib/s390x-linux-gnu/"
	done
	ld=$(elf_interp "$rel_root/usr/bin/openssl")
	[ -n "$ld" ] || die "$rel: openssl has no program interpreter"
	f=$(find_lib "$rel_root" "${ld##*/}") || die "$rel: no dynamic loader ${ld##*/}"
	cp -L "$f" "$i/usr/lib/${ld##*/}"
	[ "$ld" = "/lib/${ld##*/}" ] || die "$rel: unexpected program interpreter $ld"

	mdir=$(modules_dir "$rel_root")
	copy_modules "$mdir" "$i/usr/lib/modules/$rel_kver" $E2E_MODULES
	cp "$mdir"/modules.builtin "$mdir"/modules.order "$i/usr/lib/modules/$rel_kver/" 2>/dev/null || true

	cp "$work/aptest" "$i/usr/bin/aptest"
	cp "$work/apload" "$i/usr/bin/apload"
	cp "$here/guest/hotplug.sh" "$i/usr/bin/e2e-hotplug"
	cp "$here/guest/init" "$i/init"
	cp "$here/guest/tools.sh" "$i/usr/bin/e2e-tools"
	chmod 755 "$i/init" "$i/usr/bin/e2e-tools" "$i/usr/bin/e2e-hotplug"
	cp "$work/vectors.txt" "$work/load.txt" "$work/sign.key" "$work/sign.msg" "$work/sign.sig" \
		"$work/sign.pub" "$i/etc/e2e/"
	{
		for f in $E2E_CARDS; do echo "card $f"; done
		for f in $E2E_DOMAINS; do echo "domain $f"; done
		for f in $E2E_CONTROL_DOMAINS; do echo "control $f"; done
		echo "type $E2E_TYPE"
	} >"$i/etc/e2e/aptest.conf"
	coproc_initramfs "$rel" "$i"
	echo "$rel ${rel_kernel_pkg} ${rel_ibmca}" >"$i/etc/e2e/release"
	(cd "$i" && find . | sort | cpio -o -H newc --quiet | gzip -1) >"$w/initramfs.gz"
	cp "$rel_kernel" "$w/vmlinuz"
	say "$rel: initramfs $(( $(stat -c %s "$w/initramfs.gz") / 1024 )) KiB, kernel $rel_kver, ibmca $rel_ibmca"
}
