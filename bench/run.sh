#!/usr/bin/env bash
# Run every benchmark program in BUILD/bench; each prints its figure last.
set -u
build=${1:?usage: bench/run.sh BUILD_DIR}
mapfile -t benches < <(find "$build/bench" -maxdepth 1 -type f -name 'bench_*' -perm -u+x 2>/dev/null | sort)
if [ "${#benches[@]}" -eq 0 ]; then
	echo "no benchmarks built yet"
	exit 0
fi
rc=0
for b in "${benches[@]}"; do
	echo "== $(basename "$b")"
	"$b" || rc=1
done
exit $rc
