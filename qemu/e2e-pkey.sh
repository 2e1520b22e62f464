# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by qemu/e2e.sh: the protected-key modules for a guest kernel.
#
# Debian's s390x kernels leave CONFIG_PKEY unset (and with it
# CONFIG_CRYPTO_PAES_S390, which depends on it), so /dev/pkey and the paes
# ciphers do not exist in a Debian guest. pkey_build builds them as
# external modules for the kernel the guest boots, from that kernel's own
# Debian source and against its own headers:
#
#   source    linux-source-X.Y at the kernel's exact Debian version (the
#             binary package: it holds the Debian-patched tree as a tarball)
#   headers   linux-headers-KVER, linux-headers-...-common and linux-kbuild-*
#             at the same version, unpacked into a private root
#   compiler  Debian 12's s390x cross gcc 12 through a wrapper for the flags
#             of newer gcc the kernel's configuration asks for
#   tools     fixdep, modpost and genksyms rebuilt for the build machine from
#             the same source (the packaged ones are s390x programs)
#   modules   pkey, pkey-cca, pkey-ep11, pkey-pckmo (and pkey-uv where the
#             kernel has it) as the source's own Makefile lists them, and
#             paes_s390; the module BTF step is left out (no pahole here)
#
# Results are cached per kernel under $cache/pkey/KVER, keyed by the kernel
# version and this file's contents; downloads under $cache/pkey/debs.
#
# Needs from the caller: $cache, say(), die(), fetch_exact(), deb_file(),
# deb_depends(), and rel_kver / rel_kernel_pkg from prepare_release.

# pkey_build REL: sets rel_pkey_dir, the directory holding the modules.
pkey_build() {
	local rel=$1 kver=$rel_kver ver=${rel_kernel_pkg#* } up d stamp t0 log
	d=$cache/pkey/$kver
	up=$(echo "$ver" | sed -nE 's/^([0-9]+\.[0-9]+)\..*/\1/p')
	[ -n "$up" ] || die "$rel: cannot tell the upstream version of kernel $ver"
	stamp="kernel $ver recipe $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-16)"
	rel_pkey_dir=$d/out
	if [ "$(cat "$d/out/.stamp" 2>/dev/null)" = "$stamp" ]; then
		say "$rel: pkey modules for $kver: cached ($(cd "$d/out" && echo *.ko))"
		return 0
	fi
	t0=$(date +%s)
	log=$d/build.log
	rm -rf "$d/out" "$d/root" "$d/mod" "$d/bin" "$d/tools"
	mkdir -p "$d" "$cache/pkey/debs"
	: >"$log"
	pkey_fetch "$rel" "$up" "$ver"
	pkey_unpack_headers "$d" "$kver" "$ver"
	pkey_source "$rel" "$d" "$up" "$ver"
	pkey_compiler "$d"
	pkey_host_tools "$d" "$up"
	pkey_modules "$rel" "$d" "$kver" "$up"
	echo "$stamp" >"$d/out/.stamp"
	say "$rel: pkey modules for $kver built in $(($(date +%s) - t0))s: $(cd "$d/out" && echo *.ko)"
}

# The kernel's source and headers, at exactly the kernel's version.
pkey_fetch() {
	local rel=$1 up=$2 ver=$3 debs=$cache/pkey/debs p deb
	fetch_exact "$rel" "linux-source-$up" "$ver" "$debs" ||
		die "$rel: linux-source-$up $ver (the source of kernel $rel_kver) does not download; pkey and paes_s390 cannot be built for this kernel"
	fetch_exact "$rel" "linux-headers-$rel_kver" "$ver" "$debs" ||
		die "$rel: linux-headers-$rel_kver $ver does not download; pkey cannot be built for this kernel"
	deb=$(deb_file "$debs" "linux-headers-$rel_kver" "$ver")
	for p in $(deb_depends "$deb" | grep -E '^linux-(headers|kbuild)-'); do
		fetch_exact "$rel" "$p" "$ver" "$debs" ||
			die "$rel: $p $ver (needed by linux-headers-$rel_kver) does not download"
	done
}

# The headers with their kbuild tree in D/root; their Makefile names the
# installed location of the common part, which becomes the private one.
pkey_unpack_headers() {
	local d=$1 kver=$2 ver=$3 debs=$cache/pkey/debs p deb mk
	deb=$(deb_file "$debs" "linux-headers-$kver" "$ver")
	mkdir -p "$d/root"
	dpkg-deb -x "$deb" "$d/root"
	for p in $(deb_depends "$deb" | grep -E '^linux-(headers|kbuild)-'); do
		dpkg-deb -x "$(deb_file "$debs" "$p" "$ver")" "$d/root"
	done
	mk=$d/root/usr/src/linux-headers-$kver/Makefile
	[ -f "$mk" ] || die "no Makefile in linux-headers-$kver"
	sed -i "s:\(^\|[= ]\)/usr/src/:\1$d/root/usr/src/:g" "$mk"
	grep -q "^include $d/root/usr/src/" "$mk" ||
		die "linux-headers-$kver: unexpected Makefile: $(head -3 "$mk")"
}

# From the Debian-patched tree in linux-source-UP, what the modules and the
# host tools are made of, into D/src (kept: about 40 MB).
pkey_source() {
	local rel=$1 d=$2 up=$3 ver=$4 deb t=linux-source-$3
	deb=$(deb_file "$cache/pkey/debs" "linux-source-$up" "$ver")
	if [ "$(cat "$d/src/.unpacked" 2>/dev/null)" != "$ver" ]; then
		rm -rf "$d/src"
		mkdir -p "$d/src"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$up.tar.xz" |
			xz -dc | tar -x -C "$d/src" "$t/scripts" "$t/include/linux" "$t/drivers/s390/crypto" \
				"$t/arch/s390/crypto" ||
			die "$rel: cannot unpack linux-source-$up.tar.xz from linux-source-$up $ver"
		echo "$ver" >"$d/src/.unpacked"
	fi
	[ -f "$d/src/$t/drivers/s390/crypto/pkey_api.c" ] ||
		die "$rel: linux-source-$up $ver has no drivers/s390/crypto/pkey_api.c"
	mkdir -p "$d/mod"
	cp "$d/src/$t"/drivers/s390/crypto/pkey*.[ch] "$d/src/$t"/drivers/s390/crypto/zcrypt*.h \
		"$d/src/$t"/drivers/s390/crypto/ap_*.h "$d/src/$t/arch/s390/crypto/paes_s390.c" "$d/mod/"
	grep -E '^pkey.*-objs|^obj-\$\(CONFIG_PKEY' "$d/src/$t/drivers/s390/crypto/Makefile" >"$d/mod/pkey.mk"
}

# fixdep, genksyms (where the kernel has CONFIG_MODVERSIONS) and modpost
# for the build machine, from the same source, replacing the s390x programs
# of linux-kbuild. modpost's two generated headers come from the cross
# compiler: the ELF class of an s390x object, and the device table offsets
# compiled against the kernel's own headers.
pkey_host_tools() {
	local d=$1 up=$2 s=$d/src/linux-source-$2 t=$d/tools kb hcc=(gcc -std=gnu11 -O2 -w) f
	kb=$(readlink -f "$d/root/usr/src/linux-headers-$rel_kver/scripts")
	rm -rf "$t"
	mkdir -p "$t/offsets"
	{
		"${hcc[@]}" -I"$s/scripts/include" -o "$t/fixdep" "$s/scripts/basic/fixdep.c" &&
			cp "$t/fixdep" "$kb/basic/fixdep"
	} >>"$d/build.log" 2>&1 || die "linux-source-$up: building fixdep failed (log: $d/build.log)"
	if grep -q '^CONFIG_MODVERSIONS=y' "$d/root/usr/src/linux-headers-$rel_kver/.config"; then
		{
			bison -t -l -o "$t/parse.tab.c" --defines="$t/parse.tab.h" "$s/scripts/genksyms/parse.y" &&
				flex -L -o "$t/lex.lex.c" "$s/scripts/genksyms/lex.l" &&
				"${hcc[@]}" -I"$s/scripts/genksyms" -I"$s/scripts/include" -I"$t" -o "$t/genksyms" \
					"$s/scripts/genksyms/genksyms.c" "$t/parse.tab.c" "$t/lex.lex.c" &&
				rm -f "$kb/genksyms/genksyms" && cp "$t/genksyms" "$kb/genksyms/genksyms"
		} >>"$d/build.log" 2>&1 || die "linux-source-$up: building genksyms failed (log: $d/build.log)"
	fi
	{
		"${hcc[@]}" -o "$t/mk_elfconfig" "$s/scripts/mod/mk_elfconfig.c" &&
			s390x-linux-gnu-gcc -c -x c /dev/null -o "$t/empty.o" &&
			"$t/mk_elfconfig" <"$t/empty.o" >"$t/elfconfig.h" &&
			cp "$s/scripts/mod/devicetable-offsets.c" "$t/offsets/" &&
			echo 'targets := devicetable-offsets.s' >"$t/offsets/Kbuild" &&
			make -C "$d/root/usr/src/linux-headers-$rel_kver" M="$t/offsets" ARCH=s390 \
				CROSS_COMPILE=s390x-linux-gnu- CC="$d/bin/cc" devicetable-offsets.s
	} >>"$d/build.log" 2>&1 || die "linux-source-$up: the device table offsets failed (log: $d/build.log)"
	# As kbuild's filechk_offsets turns the compiler's .ascii lines into defines.
	{
		echo "#ifndef __DEVICETABLE_OFFSETS_H__"
		echo "#define __DEVICETABLE_OFFSETS_H__"
		sed -ne 's:^[[:space:]]*\.ascii[[:space:]]*"\(.*\)".*:\1:; /^->/{s:->#\(.*\):/* \1 */:; s:^->\([^ ]*\) [\$#]*\([^ ]*\) \(.*\):#define \1 \2 /* \3 */:; s:->::; p;}' \
			"$t/offsets/devicetable-offsets.s"
		echo "#endif"
	} >"$t/devicetable-offsets.h"
	grep -q '^#define SIZE_' "$t/devicetable-offsets.h" ||
		die "linux-source-$up: no device table offsets in $t/offsets/devicetable-offsets.s"
	for f in modpost file2alias sumversion symsearch; do
		[ -f "$s/scripts/mod/$f.c" ] && echo "$s/scripts/mod/$f.c"
	done >"$t/modpost.src"
	{
		mapfile -t f <"$t/modpost.src"
		"${hcc[@]}" -I"$t" -I"$s/scripts/include" -I"$s/scripts/mod" -o "$t/modpost" "${f[@]}" &&
			rm -f "$kb/mod/modpost" "$kb"/mod/modpost.real-* && cp "$t/modpost" "$kb/mod/modpost"
	} >>"$d/build.log" 2>&1 || die "linux-source-$up: building modpost failed (log: $d/build.log)"
}

# Debian 12's cross gcc stands in for the newer gcc the kernel was built
# with: the flags it does not know are dropped or mapped. The stack
# protector goes entirely: gcc 12 cannot use the kernel's global guard.
pkey_compiler() {
	local d=$1
	mkdir -p "$d/bin"
	cat >"$d/bin/cc" <<-'EOF'
		#!/bin/bash
		args=()
		for a in "$@"; do
			case "$a" in
			-mstack-protector-guard=* | -mstack-protector-guard-record | -fstack-protector*) ;;
			-fmin-function-alignment=*) args+=("-falign-functions=${a#*=}") ;;
			*) args+=("$a") ;;
			esac
		done
		exec s390x-linux-gnu-gcc "${args[@]}" -fno-stack-protector
	EOF
	chmod 755 "$d/bin/cc"
}

# The modules, with the Kconfig symbols the kernel's configuration lacks
# given to kbuild (CONFIG_*) and to the preprocessor (IS_ENABLED()).
pkey_modules() {
	local rel=$1 d=$2 kver=$3 up=$4 sym syms m
	syms=$(sed -nE 's/^obj-\$\((CONFIG_PKEY[A-Z0-9_]*)\).*/\1/p' "$d/mod/pkey.mk")
	# pkey-uv needs the ultravisor interface; only where the kernel has it.
	grep -q '^CONFIG_S390_UV_UAPI=[ym]' "$d/root/usr/src/linux-headers-$kver/.config" ||
		syms=$(echo "$syms" | grep -v '^CONFIG_PKEY_UV$')
	{
		for sym in $syms; do echo "$sym := m"; done
		echo "CONFIG_CRYPTO_PAES_S390 := m"
		printf 'ccflags-y +='
		for sym in $syms CONFIG_CRYPTO_PAES_S390; do printf ' -D%s_MODULE=1' "$sym"; done
		echo
		cat "$d/mod/pkey.mk"
		echo 'obj-$(CONFIG_CRYPTO_PAES_S390) += paes_s390.o'
	} >"$d/mod/Kbuild"
	if ! make -C "$d/root/usr/src/linux-headers-$kver" M="$d/mod" ARCH=s390 \
		CROSS_COMPILE=s390x-linux-gnu- CC="$d/bin/cc" CONFIG_DEBUG_INFO_BTF_MODULES= \
		KBUILD_MODPOST_WARN= -j2 modules >>"$d/build.log" 2>&1; then
		tail -30 "$d/build.log"
		die "$rel: building the pkey modules for $kver failed (log: $d/build.log)"
	fi
	mkdir -p "$d/out"
	for m in $(for sym in $syms; do
		sed -nE "s/^obj-\\\$\($sym\) \+= (.*)\.o$/\1/p" "$d/mod/pkey.mk"
	done) paes_s390; do
		[ -f "$d/mod/$m.ko" ] || die "$rel: $m.ko was not built for $kver (log: $d/build.log)"
	done
	cp "$d"/mod/*.ko "$d/out/"
	if grep -E 'WARNING: modpost: .*undefined' "$d/build.log"; then
		die "$rel: the pkey modules for $kver use symbols the kernel does not export"
	fi
}
