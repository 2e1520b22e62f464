# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced by qemu/e2e.sh: Debian s390x packages for the guests, fetched with
# apt-get download through a private apt configuration per release, so the
# build machine's own sources, indexes and installed packages stay as they
# are (no foreign architecture, no extra suites, no upgrade).
#
# An index may list a version whose file the archive does not serve (yet);
# every package is therefore taken at the newest listed version that really
# downloads, and the log says which one. A userland package with no
# downloadable version in its release comes from the next newer release in
# E2E_RELEASES (newer shared libraries run older binaries); the log says so.
#
# Needs from the caller: $cache, say(), die().

# The machine's Debian mirrors (its own configuration), else the defaults.
host_uri() {
	local pat=$1 f
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && sed -n 's/^URIs: *//p' "$f" | tr ' ' '\n'
		done
		[ -f /etc/apt/sources.list ] &&
			sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list
	} | sed 's:/*$::' | grep -E "$pat" | sed -n 1p
}
: "${E2E_MIRROR:=$(host_uri '/debian$')}"
: "${E2E_MIRROR:=http://deb.debian.org/debian}"
: "${E2E_SECURITY_MIRROR:=$(host_uri '/debian-security$')}"
: "${E2E_SECURITY_MIRROR:=http://deb.debian.org/debian-security}"

# ---- private apt configuration per release ----------------------------------

gapt_root() { echo "$cache/apt/$1"; }

gapt_opts() {
	local d
	d=$(gapt_root "$1")
	printf '%s\n' -o "Dir::Etc::sourcelist=$d/sources.list" \
		-o "Dir::Etc::sourceparts=$d/sources.list.d" \
		-o "Dir::Etc::preferencesparts=$d/preferences.d" \
		-o "Dir::State=$d/state" -o "Dir::State::status=$d/state/status" \
		-o "Dir::Cache=$d/cache" -o "APT::Architecture=s390x" \
		-o "APT::Architectures=s390x" -o "APT::Sandbox::User=root"
}

gapt() {
	local rel=$1 opts
	shift
	mapfile -t opts < <(gapt_opts "$rel")
	apt-get -q "${opts[@]}" "$@"
}

gcache() {
	local rel=$1 opts
	shift
	mapfile -t opts < <(gapt_opts "$rel")
	apt-cache "${opts[@]}" "$@"
}

# The release, its updates and its security suite, s390x only.
gapt_update() {
	local rel=$1 d key=/usr/share/keyrings/debian-archive-keyring.gpg
	d=$(gapt_root "$rel")
	mkdir -p "$d/sources.list.d" "$d/preferences.d" "$d/state/lists/partial" \
		"$d/cache/archives/partial"
	[ -f "$d/state/status" ] || : >"$d/state/status"
	cat >"$d/sources.list.new" <<-EOF
		deb [arch=s390x signed-by=$key] $E2E_MIRROR $rel main
		deb [arch=s390x signed-by=$key] $E2E_MIRROR $rel-updates main
		deb [arch=s390x signed-by=$key] $E2E_SECURITY_MIRROR $rel-security main
	EOF
	mv "$d/sources.list.new" "$d/sources.list"
	gapt "$rel" update -qq >"$d/update.log" 2>&1 ||
		{ cat "$d/update.log"; die "$rel: apt-get update (s390x indexes) failed"; }
	rm -f "$d/madison" "$d/madison.asked"
}

# madison_load REL PKG...: the versions the indexes list for these
# packages, noted in one apt-cache call (each call reads the whole cache).
madison_load() {
	local rel=$1 d
	shift
	d=$(gapt_root "$rel")
	gcache "$rel" madison "$@" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2 }' \
		>>"$d/madison"
	printf '%s\n' "$@" >>"$d/madison.asked"
}

# Versions of PKG in REL's indexes, newest first, each once.
versions_of() {
	local d
	d=$(gapt_root "$1")
	grep -qxF "$2" "$d/madison.asked" 2>/dev/null || madison_load "$1" "$2"
	awk -v p="$2" '$1 == p && !seen[$2]++ { print $2 }' "$d/madison" | sort_versions
}

# Sorts Debian version strings (stdin) newest first.
sort_versions() {
	local v out=() i j t
	while read -r v; do [ -n "$v" ] && out+=("$v"); done
	for ((i = 1; i < ${#out[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			dpkg --compare-versions "${out[j]}" gt "${out[j - 1]}" || break
			t=${out[j]}
			out[j]=${out[j - 1]}
			out[j - 1]=$t
		done
	done
	[ "${#out[@]}" -eq 0 ] || printf '%s\n' "${out[@]}"
}

# ---- downloading ------------------------------------------------------------

# fetch_exact REL PKG VERSION DIR: the .deb of that version into DIR (kept
# across runs); fails if the archive does not serve it. A failure is
# remembered for E2E_MISSING_TTL seconds, so a run does not ask again for
# every file the archive lists but lacks.
: "${E2E_MISSING_TTL:=21600}"
fetch_exact() {
	local rel=$1 pkg=$2 ver=$3 dir=$4 tmp f miss now
	f=$(deb_file "$dir" "$pkg" "$ver")
	[ -n "$f" ] && return 0
	miss=$(gapt_root "$rel")/missing
	now=$(date +%s)
	if awk -v p="$pkg" -v v="$ver" -v t="$((now - E2E_MISSING_TTL))" \
		'$1 == p && $2 == v && $3 >= t { found = 1 } END { exit !found }' "$miss" 2>/dev/null; then
		return 1
	fi
	tmp=$(mktemp -d "$dir/.dl.XXXXXX")
	if (cd "$tmp" && gapt "$rel" download -qq "$pkg=$ver" >/dev/null 2>&1); then
		mv "$tmp"/*.deb "$dir/"
		rmdir "$tmp"
		return 0
	fi
	rm -rf "$tmp"
	echo "$pkg $ver $now" >>"$miss"
	return 1
}

# The file in DIR holding PKG at VERSION (apt names it pkg_ver_arch.deb,
# the epoch colon escaped as %3a).
deb_file() {
	local f="$1/${2}_${3//:/%3a}_"
	compgen -G "${f}*.deb" | sed -n 1p || true
}

# fetch_newest REL PKG DIR: the newest version of PKG in REL that downloads.
# Prints "PKG VERSION"; says which listed versions were skipped.
fetch_newest() {
	local rel=$1 pkg=$2 dir=$3 v
	for v in $(versions_of "$rel" "$pkg"); do
		if fetch_exact "$rel" "$pkg" "$v" "$dir"; then
			echo "$pkg $v"
			return 0
		fi
		say "$rel: $pkg $v is listed but does not download; trying older" >&2
	done
	return 1
}

# fetch_userland_pkg REL PKG DIR: as fetch_newest, falling back to the
# newer releases of E2E_RELEASES. Prints "PKG VERSION [from REL2]".
fetch_userland_pkg() {
	local rel=$1 pkg=$2 dir=$3 r later=0 got
	for r in $E2E_RELEASES; do
		[ "$r" = "$rel" ] && later=1
		[ "$later" = 1 ] || continue
		if got=$(fetch_newest "$r" "$pkg" "$dir"); then
			if [ "$r" = "$rel" ]; then echo "$got"; else echo "$got from $r"; fi
			return 0
		fi
		say "$rel: no version of $pkg downloads from $r" >&2
	done
	return 1
}

# Package names a .deb depends on (first alternative, no versions).
deb_depends() {
	dpkg-deb -f "$1" Pre-Depends Depends 2>/dev/null | sed 's/^[A-Za-z-]*: //' | tr ',' '\n' |
		sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | sed '/^$/d'
}

# ---- the kernel -------------------------------------------------------------

# fetch_kernel REL DIR: the newest s390x kernel image package of REL that
# downloads together with the packages its image is split into (newer
# releases ship vmlinuz and modules in linux-binary-*/linux-modules-*).
# Prints "PKG VERSION".
fetch_kernel() {
	local rel=$1 dir=$2 pkg v cands=() line deb dep ok pkgs
	mapfile -t pkgs < <(gcache "$rel" pkgnames linux-image- | grep -E '^linux-image-[0-9].*-s390x$')
	[ "${#pkgs[@]}" -gt 0 ] && madison_load "$rel" "${pkgs[@]}"
	for pkg in "${pkgs[@]}"; do
		for v in $(versions_of "$rel" "$pkg"); do cands+=("$v $pkg"); done
	done
	[ "${#cands[@]}" -gt 0 ] || die "$rel: no s390x kernel image in the indexes"
	while read -r v pkg; do
		ok=1
		if fetch_exact "$rel" "$pkg" "$v" "$dir"; then
			deb=$(deb_file "$dir" "$pkg" "$v")
			for dep in $(deb_depends "$deb" | grep -E '^linux-(binary|modules)-'); do
				fetch_exact "$rel" "$dep" "$v" "$dir" || { ok=0; break; }
			done
		else
			ok=0
		fi
		if [ "$ok" = 1 ]; then
			echo "$pkg $v"
			return 0
		fi
		say "$rel: kernel $pkg $v is listed but does not download; trying older" >&2
	done < <(printf '%s\n' "${cands[@]}" | sort_kernel_cands)
	return 1
}

# "VERSION PKG" lines, newest version first.
sort_kernel_cands() {
	local lines=() l v
	declare -A pk=()
	while read -r v l; do
		pk[$v]+="$l "
		lines+=("$v")
	done
	for v in $(printf '%s\n' "${lines[@]}" | sort -u | sort_versions); do
		for l in ${pk[$v]}; do echo "$v $l"; done
	done
}
