# SIGTERM (what SLURM sends at a time limit, and scancel) stops every rank
# cleanly: the run exits with status 3, the file is closed and resumable,
# and --resume ends with the datasets of an uninterrupted run.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >s.yaml <<'YAML'
suite: drift
seed: 21
replications: 40
params: {horizon: 3000}
sweep:
  drift: [0, 0.6]
record: 10
YAML
mpi 2 run s.yaml -o ref.h5 -q >/dev/null 2>&1
check "the uninterrupted reference run succeeds" test $? -eq 0

# Wait until at least $2 tasks of file $1 are in.
wait_tasks() {
	for _ in $(seq 400); do
		[ -s "$1" ] && [ "$(ndone "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# SMAB_TEST_TASK_DELAY stretches each task so the signal lands mid-run.
SMAB_TEST_TASK_DELAY=0.05 mpi 2 run s.yaml -o cut.h5 >run.log 2>&1 &
mpirun_pid=$!
wait_tasks cut.h5 6
# Only one rank is told; the other must learn it and stop too.
victim=$(pgrep -f "^$SMAB run s.yaml -o cut.h5" | tail -1)
check "found a running rank to signal" test -n "$victim"
[ -n "$victim" ] && kill -TERM "$victim"
wait $mpirun_pid
rc=$?
check "a run stopped by SIGTERM exits with status 3 (got $rc)" test $rc -eq 3
check "it says the file is resumable" grep -q 'resumable: run again with --resume' run.log
n=$(ndone cut.h5)
check "the stopped run left some but not all tasks done ($n of 80)" test "$n" -gt 0 -a "$n" -lt 80
h5dump -H cut.h5 >/dev/null 2>&1
check "the stopped file opens cleanly" test $? -eq 0
mpi 2 run s.yaml -o cut.h5 --resume -q >/dev/null 2>&1
check "--resume finishes it" test $? -eq 0
check "every task is done after the resume" test "$(ndone cut.h5)" -eq 80
check "resumed datasets equal the uninterrupted run's" same_results ref.h5 cut.h5

# Without mpirun: one process, SIGTERM straight from the shell.
SMAB_TEST_TASK_DELAY=0.05 "$SMAB" run s.yaml -o one.h5 -q >one.log 2>&1 &
pid=$!
wait_tasks one.h5 4
kill -TERM $pid
wait $pid
rc=$?
check "a single process stopped by SIGTERM exits with status 3 (got $rc)" test $rc -eq 3
"$SMAB" run s.yaml -o one.h5 --resume -q >/dev/null 2>&1
check "and its resume matches the reference too" same_results ref.h5 one.h5
echo done
