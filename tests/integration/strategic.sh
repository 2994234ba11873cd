# The strategic suite end to end: identical results on 1 and 2 ranks (with a
# deviation pair and NaN first_defect values in the file), the summary
# skips NaN, and a bad profile/arm-count combination is refused with the
# parameter named.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >st.yaml <<'YAML'
suite: strategic
seed: 11
replications: 5
mechanisms: [exp3, mech2, ts]
params:
  horizon: 4000
  arms: 3
  mech: {B: 50, M: 0.05}
  deviate: {arm: 2, kind: over, x: 0.1}
sweep:
  profile: [collude, dominant]
  dist: [bernoulli, gauss]
record: 5
YAML
for np in 1 2; do
	mpi $np run st.yaml -o st$np.h5 -q >/dev/null 2>&1
	check "strategic run with -np $np" test $? -eq 0
done
check "-np 1 and -np 2 give identical datasets" same_results st1.h5 st2.h5
check "every task is marked done" test "$(ndone st2.h5)" -eq 20
# first_defect is NaN when nobody defected: the summary counts only the rest.
out=$("$SMAB" summary st1.h5 2>&1)
check "summary prints first_defect" grep -q '^first_defect' <<<"$out"
check "summary prints dev_gain" grep -q '^dev_gain' <<<"$out"
printf 'suite: strategic\nparams: {arms: 3, profile: split}\n' >bad.yaml
err=$("$SMAB" validate bad.yaml 2>&1)
check "split with 3 arms is refused" test $? -ne 0
check "and the message names the profile" grep -q "profile" <<<"$err"
echo done
