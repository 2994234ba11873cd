# Same config and seed => identical /results and /summary with 1, 2 and 3 ranks.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >det.yaml <<'YAML'
suite: drift
seed: 7
replications: 7
params: {horizon: 3000}
sweep:
  drift: [0, 0.7]
  arms: [3, 6]
record: 10
YAML
for np in 1 2 3; do
	mpi $np run det.yaml -o det$np.h5 -q >/dev/null 2>&1
	check "run with -np $np" test $? -eq 0
done
check "-np 1 and -np 2 give identical datasets" same_results det1.h5 det2.h5
check "-np 1 and -np 3 give identical datasets" same_results det1.h5 det3.h5
check "every task is marked done" test "$(ndone det3.h5)" -eq 28
# A different seed must change the results.
sed 's/seed: 7/seed: 8/' det.yaml >det8.yaml
mpi 2 run det8.yaml -o det8.h5 -q >/dev/null 2>&1
h5diff -q det1.h5 det8.h5 /results /results >/dev/null 2>&1
check "another seed gives other results" test $? -ne 0
# A horizon shorter than 'record' (checkpoint rounds repeat) still runs.
printf 'suite: drift\nreplications: 3\nparams: {horizon: 30}\nrecord: 100\n' >short.yaml
mpi 2 run short.yaml -o short.h5 -q >/dev/null 2>&1
check "a horizon shorter than record runs" test $? -eq 0
check "and completes all 3 tasks" test "$(ndone short.h5)" -eq 3
echo done
