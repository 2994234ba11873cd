# Kill one rank with SIGKILL midway; --resume finishes the run and the final
# datasets equal those of an uninterrupted run.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >long.yaml <<'YAML'
suite: drift
seed: 11
replications: 100
params: {horizon: 100000}
sweep:
  drift: [0, 0.4, 1.1]
record: 20
YAML
mpi 2 run long.yaml -o ref.h5 -q >/dev/null 2>&1
check "the uninterrupted reference run succeeds" test $? -eq 0
mpi 2 run long.yaml -o crash.h5 -q >run.log 2>&1 &
mpirun_pid=$!
# The file's metadata is flushed before any task runs, so the live file can
# be read: kill once a few tasks are in, whatever the machine's speed.
for _ in $(seq 600); do
	[ -s crash.h5 ] && [ "$(ndone crash.h5)" -ge 10 ] && break
	sleep 0.05
done
# A rank's command line starts with the smab binary; mpirun's does not.
victim=$(pgrep -f "^$SMAB run long.yaml -o crash.h5" | tail -1)
check "found a running rank to kill" test -n "$victim"
[ -n "$victim" ] && kill -9 "$victim"
wait $mpirun_pid
rc=$?
check "the killed run exits nonzero" test $rc -ne 0
n=$(ndone crash.h5)
check "the killed run left some but not all tasks done ($n of 300)" test "$n" -gt 0 -a "$n" -lt 300
out=$(mpi 2 run long.yaml -o crash.h5 --resume -q 2>&1)
check "--resume completes the run" test $? -eq 0
check "every task is done after the resume" test "$(ndone crash.h5)" -eq 300
check "resumed datasets equal the uninterrupted run's" same_results ref.h5 crash.h5
mpi 2 run long.yaml -o crash.h5 --resume -q >/dev/null 2>&1
check "resuming a finished run is a no-op that succeeds" test $? -eq 0
check "and leaves the datasets equal" same_results ref.h5 crash.h5
echo done
