# The command line: help on every command, exit statuses, validate/plan/list.
source "$(dirname "$0")/lib.bash"
for c in run validate plan summary shapley list; do
	out=$("$SMAB" $c --help 2>&1); rc=$?
	check "smab $c --help exits 0 with a usage line" test $rc -eq 0 -a "${out#usage:}" != "$out"
done
"$SMAB" --help | grep -q '^commands:'; check "smab --help lists the commands" test $? -eq 0
"$SMAB" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? -eq 2
"$SMAB" >/dev/null 2>&1; check "no command exits 2" test $? -eq 2
out=$("$SMAB" validate "$ROOT/experiments/quick.yaml"); rc=$?
check "validate accepts experiments/quick.yaml" test $rc -eq 0
grep -q '3 points x 20 replications = 60 tasks' <<<"$out"; check "validate counts points and tasks" test $? -eq 0
out=$("$SMAB" plan "$ROOT/experiments/quick.yaml" --ranks 2); rc=$?
check "plan exits 0" test $rc -eq 0
grep -q 'estimated time' <<<"$out"; check "plan prints a cost estimate" test $? -eq 0
grep -Eq '^ +2 +1.1 ' <<<"$out"; check "plan lists point 2 with drift=1.1" test $? -eq 0
out=$("$SMAB" list drift); rc=$?
check "list drift exits 0" test $rc -eq 0
for p in horizon arms means drift egreedy.c ucb greedy regret_curve; do :; done
for w in horizon arms means noise drift egreedy.c ucb.alpha ucb egreedy ts greedy regret compensation; do
	grep -qw -- "$w" <<<"$out" || { notok "list drift mentions $w"; continue; }
done
ok "list drift names every parameter, mechanism and metric"
"$SMAB" list nosuch >/dev/null 2>&1; check "list of an unknown suite exits 2" test $? -eq 2
"$SMAB" run >/dev/null 2>&1; check "run without a file exits 2" test $? -eq 2
out=$("$SMAB" run "$ROOT/experiments/quick.yaml" --resume --force 2>&1); rc=$?
check "run --resume --force exits 2 and says why" test $rc -eq 2 -a "${out#*exclude each other}" != "$out"
"$SMAB" run --bogus "$ROOT/experiments/quick.yaml" >/dev/null 2>&1; check "run with an unknown option exits 2" test $? -eq 2
"$SMAB" summary "$TMP/none.h5" >/dev/null 2>&1; check "summary of a missing file exits 2" test $? -eq 2
"$SMAB" shapley >/dev/null 2>&1; check "shapley without a file exits 2" test $? -eq 2
"$SMAB" shapley --bogus "$TMP/none.h5" >/dev/null 2>&1; check "shapley with an unknown option exits 2" test $? -eq 2
"$SMAB" shapley "$TMP/none.h5" >/dev/null 2>&1; check "shapley of a missing file exits 2" test $? -eq 2
"$SMAB" run "$ROOT/experiments/quick.yaml" -o "$TMP/drift.h5" -q -s replications=2 >/dev/null 2>&1
out=$("$SMAB" shapley "$TMP/drift.h5" 2>&1); rc=$?
check "shapley of a drift file exits 2 and names the suite" \
	test $rc -eq 2 -a "${out#*not a coalition result file (suite drift)}" != "$out"
# Every subcommand names an unknown option in one line and exits 2.
for c in run validate plan list summary shapley merge verify info submit; do
	out=$("$SMAB" $c --bogus "$TMP/x" 2>&1); rc=$?
	check "smab $c --bogus: exit 2, one line naming the option" \
		test $rc -eq 2 -a "$(wc -l <<<"$out")" -eq 1 -a "${out#*unknown option \'--bogus\'}" != "$out"
done
out=$("$SMAB" run --reume "$TMP/x" 2>&1)
check "a mistyped long option suggests the known one" grep -q "did you mean '--resume'?" <<<"$out"
out=$("$SMAB" plan "$TMP/x" --ranks 2>&1); rc=$?
check "an option without its value is named" test $rc -eq 2 -a "${out#*\'--ranks\' needs a value}" != "$out"
out=$("$SMAB" plan -z "$TMP/x" 2>&1)
check "an unknown short option is named" grep -q "unknown option '-z'" <<<"$out"
# A missing result file: one line, no HDF5 error stack or errno text.
for c in summary shapley verify info "merge -o $TMP/all.h5"; do
	out=$("$SMAB" $c "$TMP/missing.h5" 2>&1); rc=$?
	check "smab ${c%% *} of a missing file: exit 2, one line 'no such file'" \
		test $rc -eq 2 -a "$out" = "smab: $TMP/missing.h5: no such file"
done
out=$("$SMAB" list drfit 2>&1); rc=$?
check "list of a mistyped suite exits 2 and suggests the suite" \
	test $rc -eq 2 -a "$out" = "smab: unknown suite 'drfit'; did you mean 'drift'?"
out=$("$SMAB" list xyzzy 2>&1)
check "list of an unknown suite names the known ones" grep -q "known suites:.*drift" <<<"$out"
# The closing table says what was run and what each metric is.
out=$("$SMAB" run "$ROOT/experiments/quick.yaml" -o "$TMP/table.h5" -s replications=2 \
	-s params.arms=5 2>&1)
check "the closing table names the suite, points, replications and mechanisms" \
	grep -q "^quick: suite drift, 3 points x 2 replications, mechanisms ucb, egreedy, ts, greedy$" <<<"$out"
check "the closing table lists the fixed parameters the file sets" \
	grep -q "^  fixed: horizon=5000 arms=5; the rest at their defaults ('smab list drift')$" <<<"$out"
check "the closing table names the swept parameters" grep -q "^  swept: drift$" <<<"$out"
check "the closing table has a legend line for each metric shown" \
	eval 'grep -q "^metrics shown:$" <<<"$out" && grep -Eq "^  regret +cumulative pseudo-regret" <<<"$out" &&
	grep -Eq "^  est_error +relative error" <<<"$out"'
echo done
