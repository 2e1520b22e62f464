# Sourced by fuzz/run.sh and fuzz/long.sh: configuring a libFuzzer build.
# fuzz_configure SRC BUILD_DIR sanitized|coverage
#   sanitized: coverage for the whole library, ASan and UBSan, no recovery;
#   coverage:  coverage alone (-fsanitize=fuzzer), for long campaigns.
# Both leave the invariant checkers uninstrumented (fuzz/coverage-ignore.txt)
# and keep the lock-order checks (debug_locks, the default).
fuzz_configure() {
	local src=$1 build=$2 sanitize=(-Db_sanitize=address,undefined) cflags="" lflags=""

	if [ "$3" = coverage ]; then
		sanitize=(-Db_sanitize=none)
	else
		cflags=" -fno-sanitize-recover=all"
		lflags="-fno-sanitize-recover=all"
	fi
	CC=${FUZZ_CC:-clang} meson setup "$build" "$src" --buildtype=debugoptimized \
		-Dfuzz=true "${sanitize[@]}" -Db_lundef=false \
		"-Dc_args=-fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=$src/fuzz/coverage-ignore.txt$cflags" \
		"-Dc_link_args=$lflags" >/dev/null
}
