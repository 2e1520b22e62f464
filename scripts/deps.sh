#!/usr/bin/env bash
# Install the Debian 12 packages apvirt needs to build and test, if any are
# missing. Needs root for apt-get; otherwise says what to install.
set -eu
pkgs=(gcc g++ clang make meson ninja-build pkg-config libssl-dev libjansson-dev libclang-rt-14-dev valgrind)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "apvirt needs these Debian packages: ${missing[*]}" >&2
	echo "Run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
