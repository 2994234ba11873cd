#!/usr/bin/env bash
# Run every test and print one closing line "N passed, N failed".
#   tests/run-tests.sh BUILD_DIR [unit]
# Unit tests are Check programs (their "Checks: N, Failures: F, Errors: E"
# line is counted); integration tests are tests/integration/*.sh scripts that
# print "ok - ..." / "not ok - ..." lines and end with "done".  A script that
# stops early (no "done"), or a total below tests/min-tests, fails the run, so
# a silenced test cannot go unnoticed.  A script may print "skip - REASON"
# for a check it cannot make here (e.g. no SLURM); skips are listed and
# counted apart, never as passes.
set -uo pipefail
build=${1:-build}
only=${2:-all}
here=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export SMAB_BUILD="$build"
passed=0 failed=0 skipped=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out="$log/$name.out"
	# Open MPI leaks at MPI_Init/Finalize by design: LeakSanitizer would
	# blame it on any test that starts MPI, so leaks are checked elsewhere.
	if grep -q MPI_Init "$here/unit/$name.c" 2>/dev/null; then
		ASAN_OPTIONS=detect_leaks=0 "$t" >"$out" 2>&1
	else
		"$t" >"$out" 2>&1
	fi
	rc=$?
	line=$(grep -E '^[0-9]+%: Checks: ' "$out" | tail -1)
	n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	if [ -z "$line" ]; then
		echo "FAIL $name: no Check summary (exit $rc)"; sed 's/^/    /' "$out" | tail -20
		failed=$((failed + 1)); continue
	fi
	passed=$((passed + n - f - e)); failed=$((failed + f + e))
	if [ "$rc" -ne 0 ] || [ $((f + e)) -ne 0 ]; then
		echo "FAIL $name: $line"; grep -E ':[EF]:' "$out" | sed 's/^/    /'
	else
		echo "ok   $name: $n checks"
	fi
done

if [ "$only" != unit ]; then
	for s in "$here"/integration/*.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		out="$log/$name.out"
		start=$(date +%s)
		bash "$s" >"$out" 2>&1
		rc=$?
		ok=$(grep -c '^ok - ' "$out"); bad=$(grep -c '^not ok - ' "$out")
		skip=$(grep -c '^skip - ' "$out")
		passed=$((passed + ok)); failed=$((failed + bad)); skipped=$((skipped + skip))
		secs=$(( $(date +%s) - start ))
		if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ] || ! grep -qx done "$out"; then
			[ "$bad" -eq 0 ] && failed=$((failed + 1))
			echo "FAIL $name (exit $rc, ${secs}s):"; sed 's/^/    /' "$out" | tail -40
		else
			echo "ok   $name: $ok checks (${secs}s)"
		fi
		grep '^skip - ' "$out" | sed "s/^/SKIP $name: /"
	done
	min=$(cat "$here/min-tests" 2>/dev/null || echo 0)
	if [ $((passed + failed)) -lt "$min" ]; then
		echo "FAIL: only $((passed + failed)) tests ran, fewer than the $min recorded in tests/min-tests"
		failed=$((failed + 1))
	fi
fi
echo "$passed passed, $failed failed$([ "$skipped" -gt 0 ] && echo ", $skipped skipped")"
[ "$failed" -eq 0 ]
