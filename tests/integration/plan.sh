# 'smab plan --calibrate': the estimate of a run's time, measured on this
# machine, lands within 2x of the run's own time, for four suites whose
# speeds differ a hundredfold (the nominal speed is 4x off for drift, 50x
# for contextual).  Both are measured here, one right after the
# other, so a busy machine slows both alike.
source "$(dirname "$0")/lib.bash"
E="$ROOT/experiments"
# seconds from a plan's "estimated time: X s on one core"
estimate() { sed -n 's/^estimated time: \([0-9.e+-]*\) s on one core.*/\1/p' <<<"$1"; }
# seconds from a run's "total_seconds X"
measured() { sed -n 's/.*total_seconds \([0-9.]*\) .*/\1/p' <<<"$1"; }
within2() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > 0 && b > 0 && a <= 2 * b && b <= 2 * a) }'; }

calibrated() {
	local name=$1 file=$2; shift 2
	local sets=() s
	for s in "$@"; do sets+=(-s "$s"); done
	local plan run est got
	plan=$("$SMAB" plan "$file" --calibrate "${sets[@]}" 2>&1)
	run=$("$SMAB" run "$file" -o "$TMP/$name.h5" -q "${sets[@]}" 2>&1)
	est=$(estimate "$plan"); got=$(measured "$run")
	check "plan --calibrate of $name: estimate ${est:-?} s within 2x of the run's ${got:-?} s" \
		within2 "${est:-0}" "${got:-0}"
}
calibrated drift "$E/quick.yaml" replications=20 params.horizon=40000
calibrated strategic "$E/strategic-mechanism.yaml" replications=1
calibrated contextual "$E/contextual-baselines.yaml" replications=2 params.horizon=2000
calibrated replication "$E/replication-thm1.yaml" replications=60

out=$("$SMAB" plan "$E/quick.yaml" 2>&1)
check "plan without --calibrate says the speed is nominal and names --calibrate" \
	grep -q "nominal.*--calibrate" <<<"$out"
out=$("$SMAB" plan "$E/quick.yaml" --calibrate 2>&1)
check "plan --calibrate says the speed was measured, on how many tasks" \
	grep -Eq "measured here: .* over [0-9]+ sample tasks? in" <<<"$out"
# The projection: 2, 64 and 1024 ranks and the ranks asked for, in order;
# the critical path is the largest coalition's task; on enough ranks the
# wall time is that task's own.
out=$("$SMAB" plan "$E/coalition-synthetic.yaml" --ranks 8 2>&1)
check "plan projects the wall time on 2, 8 (asked), 64 and 1024 ranks, in that order" \
	test "$(awk '/^projected wall time/ { on = 1; next } on && /^ +[0-9]+ / { printf "%s ", $1 } /^critical/ { on = 0 }' <<<"$out")" = "2 8 64 1024 "
check "plan names the grand coalition's task as the critical path" \
	grep -Eq "^critical path: one task of point 30 \(coalition 31\) takes .*no number of ranks finishes sooner" <<<"$out"
out=$("$SMAB" plan "$E/quick.yaml" 2>&1)
wall=$(awk '$1 == 1024 { $1 = ""; $NF = ""; gsub(/^ +| +$/, ""); print }' <<<"$out")
crit=$(sed -n 's/^critical path: .* takes \(.*\); no number.*/\1/p' <<<"$out")
check "on 1024 ranks quick.yaml's 12 tasks take as long as its costliest ($wall = $crit)" \
	test -n "$crit" -a "$wall" = "$crit"
# 'smab submit' without --time proposes one from the measured speed; with
# --time (or a site file's time) it says nothing.
export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config
unset SMAB_SITE
mkdir -p "$HOME"
out=$("$SMAB" submit "$E/replication-thm1.yaml" -s replications=100000 -n 2 --dry-run 2>&1 >/dev/null)
check "submit without --time proposes a limit: twice the measured time, in sbatch's form" \
	grep -Eq "^smab: submit: no --time given.*about [0-9]+ min on 2 ranks: --time [0-9]{2}:[0-9]0:00 would leave room$" <<<"$out"
out=$("$SMAB" submit "$E/quick.yaml" --time 30 --dry-run 2>&1 >/dev/null)
check "submit with --time proposes nothing" test -z "$out"
echo done
