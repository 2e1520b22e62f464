# Sourced by tests/run.sh, tests/check.sh and .ci/run: reading the
# "N passed, N failed" closing line of a log, in one place.

# apv_summary LOG [RC]: print "P F" from the last closing line of LOG (a
# single word with a colon, such as "e2e:", may stand before it; none means
# "0 0"). A non-zero RC with no failure counted counts one: a run that died
# failed even if it printed nothing.
apv_summary() {
	local line p=0 f=0
	line=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	if [ -n "$line" ]; then
		line=${line#*: }
		p=${line%% passed*}
		f=${line#*, }
		f=${f%% failed*}
	fi
	if [ "${2:-0}" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	echo "$p $f"
}
