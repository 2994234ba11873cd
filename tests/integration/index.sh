# One numbering for arms and agents: every indexed metric name that
# 'smab list' prints counts from 1 (no regret_a0, sel_0, utility_0), each
# family is 1..n without gaps, no parameter is documented as 0-based, and
# the parameter names that counted from 0 still run, with a warning, to the
# datasets of their new names.
source "$(dirname "$0")/lib.bash"
cd "$TMP"

suites=$("$SMAB" list | sed -n '/^suites:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
check "smab list names the five suites" test "$(echo $suites | wc -w)" -eq 5
for s in $suites; do
	"$SMAB" list "$s" >"$s.txt" 2>&1
	check "smab list $s" test $? -eq 0
	# The metrics section: one name per line, first column.
	sed -n '/^metrics /,/^$/p' "$s.txt" | awk 'NR > 1 && NF { print $1 }' >"$s.metrics"
	check "$s: metrics listed" test -s "$s.metrics"
	check "$s: no metric counts from 0 (a name ending in _0 or a0)" \
		bash -c "! grep -Eq '(_|[a-z])0\$' $s.metrics"
	# Each family (the name without its trailing number) is 1, 2, ..., n.
	gaps=$(grep -E '[0-9]$' "$s.metrics" | sed -E 's/^(.*[^0-9])([0-9]+)$/\1 \2/' \
		| sort -k1,1 -k2,2n \
		| awk '$1 != f { f = $1; n = 0 } { n++; if ($2 != n) print $1 $2 }')
	check "$s: every numbered family runs 1..n without gaps${gaps:+ (not: $gaps)}" test -z "$gaps"
	check "$s: no parameter is documented as 0-based" \
		bash -c "! grep -Eiq '0-based|from 0' $s.txt"
done
check "strategic: arms util_1..util_8" grep -qx 'util_8' strategic.metrics
check "replication: agents utility_1..utility_8" grep -qx 'utility_8' replication.metrics
check "contextual: agents sel_1..sel_16" grep -qx 'sel_16' contextual.metrics
check "coalition: agents regret_a1..regret_a16" grep -qx 'regret_a16' coalition.metrics

# A coalition's deviator, by its former name (counting from 0) and by the
# new one: a warning for the first, the same datasets for both.
cat >new.yaml <<'YAML'
suite: coalition
seed: 3
replications: 2
mechanisms: [dev-greedy, dev-random]
params:
  instance: fixed
  agents: 3
  horizon: 40
  deviate.agent: 2
sweep:
  coalition: all
record: 4
YAML
sed 's/deviate.agent: 2/deviator: 1/' new.yaml >old.yaml
"$SMAB" run new.yaml -o new.h5 -q >/dev/null 2>new.err
check "deviate.agent: 2 runs" test $? -eq 0
check "... without a warning" bash -c "! grep -q warning new.err"
"$SMAB" run old.yaml -o old.h5 -q >/dev/null 2>old.err
check "deviator: 1 (the former name) still runs" test $? -eq 0
check "... with one line: deprecated, counts from 0, write deviate.agent" \
	test "$(grep -c "old.yaml:9:3: warning: 'params.deviator': 'deviator' is deprecated: it counts from 0; write 'deviate.agent', which counts from 1" old.err)" -eq 1
check "... and gives the datasets of deviate.agent: 2" same_results new.h5 old.h5
sed 's/deviator: 1/deviator: 16/' old.yaml >big.yaml
"$SMAB" validate big.yaml >/dev/null 2>big.err
check "the former name out of its range (0 to 15) is refused" test $? -eq 2
check "... naming the range it counts in" grep -q "in \[0, 15\], got 16" big.err

# A former name as a sweep axis, and a list of indices (arm_order): each
# value moves up by one.
cat >rep.yaml <<'YAML'
suite: replication
replications: 1
params:
  agents: 1
  arms: [3]
  strategy: omit_arm
  arm_order: [2, 0, 1]
sweep:
  strategy.arm: [0, 2]
YAML
sed 's/arm_order: \[2, 0, 1\]/register_order: [3, 1, 2]/; s/strategy.arm: \[0, 2\]/strategy.target: [1, 3]/' \
	rep.yaml >rep-new.yaml
"$SMAB" plan rep.yaml >rep.plan 2>rep.err
check "swept strategy.arm and arm_order (former names) are read" test $? -eq 0
check "... with one warning each" test "$(grep -c 'is deprecated: it counts from 0' rep.err)" -eq 2
check "... as the axis strategy.target: 1, 3" \
	test "$(awk '$1 ~ /^[01]$/ { print $2 }' rep.plan | tr '\n' ' ')" = "1 3 "
"$SMAB" run rep.yaml -o rep-old.h5 -q >/dev/null 2>&1 && "$SMAB" run rep-new.yaml -o rep-new.h5 -q >/dev/null 2>&1
check "... and run to the datasets of register_order: [3, 1, 2], strategy.target: [1, 3]" \
	same_results rep-old.h5 rep-new.h5

# The coalition axis: {agents: [...]} counts from 1; a bare list keeps
# counting from 0 for old files, with one warning that spells it anew.
cat >coal-old.yaml <<'YAML'
suite: coalition
replications: 2
mechanisms: [linucb]
params: {instance: fixed, agents: 4, horizon: 60}
sweep:
  coalition: [[0], [1, 3], [0, 1, 2, 3]]
YAML
sed 's/coalition: \[\[0\], \[1, 3\], \[0, 1, 2, 3\]\]/coalition: {agents: [[1], [2, 4], [1, 2, 3, 4]]}/' \
	coal-old.yaml >coal-new.yaml
"$SMAB" run coal-old.yaml -o coal-old.h5 -q >/dev/null 2>coal-old.err
check "a bare list of coalitions (agents from 0) still runs" test $? -eq 0
check "... with one warning at its line and column naming the new spelling" \
	test "$(grep -c '^coal-old.yaml:6:14: warning: .*deprecated: it counts from 0; write {agents: \[\[1\], \[2, 4\], \[1, 2, 3, 4\]\]}, which counts from 1' coal-old.err)" -eq 1
"$SMAB" run coal-new.yaml -o coal-new.h5 -q >/dev/null 2>coal-new.err
check "{agents: [[1], [2, 4], [1, 2, 3, 4]]} runs" test $? -eq 0
check "... without a warning" sh -c "! grep -q warning coal-new.err"
check "... to the same points" h5diff -q coal-old.h5 coal-new.h5 /points /points
check "... and the same datasets" same_results coal-old.h5 coal-new.h5
check "... and the same coalition tables" h5diff -q coal-old.h5 coal-new.h5 /coalition /coalition
"$SMAB" shapley coal-new.h5 --all --no-write >coal.out 2>&1
check "smab shapley names the agents from 1" grep -q "^  agents: 1=1 2=2 3=3 4=4$" coal.out
check "... and prints coalitions with them" grep -q "(2, 4)" coal.out
"$SMAB" shapley coal-new.h5 --csv --all --no-write >coal.csv 2>&1
check "... also in its CSV" grep -q '^linucb,0,regret,"(2, 4)",4,4,' coal.csv
sed 's/\[\[1\], \[2, 4\]/[[0], [2, 4]/' coal-new.yaml >coal-zero.yaml
"$SMAB" validate coal-zero.yaml >/dev/null 2>coal-zero.err
check "agent 0 in {agents: ...} is refused" test $? -eq 2
check "... saying agents are numbered from 1" \
	grep -q "^coal-zero.yaml:6:25: error: .*agent 0: agents are numbered from 1" coal-zero.err
sed 's/\[\[1\], \[2, 4\]/[[1], [2, 5]/' coal-new.yaml >coal-five.yaml
"$SMAB" validate coal-five.yaml >/dev/null 2>coal-five.err
check "an agent beyond the instance is refused" test $? -eq 2
check "... naming the range" grep -q "expected an agent in \[1, 4\] .*got 5" coal-five.err
echo done
