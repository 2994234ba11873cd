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
echo done
