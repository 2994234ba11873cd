# smab submit on a real single-node SLURM (scripts/slurm-local.sh): the job's
# file equals a direct mpirun run; an array of shards merges to the same; a
# job killed by its time limit (SIGTERM) leaves a file that a resubmission
# with --resume finishes to the same datasets.  Skipped, and said so, only
# when SLURM is not installed or cannot start here.
source "$(dirname "$0")/lib.bash"
export PATH=$PATH:/usr/sbin
started=0
export SMAB_SLURM_DIR=${SMAB_SLURM_DIR:-/tmp/smab-slurm}
export SLURM_CONF=$SMAB_SLURM_DIR/slurm.conf
if [ "$("$ROOT/scripts/slurm-local.sh" status)" = "not running" ]; then
	if ! "$ROOT/scripts/slurm-local.sh" up >"$TMP/up.log" 2>&1; then
		echo "skip - SLURM cannot run here: $(tail -1 "$TMP/up.log")"
		"$ROOT/scripts/slurm-local.sh" down >/dev/null 2>&1
		echo done
		exit 0
	fi
	started=1
fi
trap '[ $started -eq 1 ] && "$ROOT/scripts/slurm-local.sh" down >/dev/null 2>&1; rm -rf "$TMP"' EXIT
cd "$TMP"

# Wait for job $1 to end (up to $2 s); print its final state.
job_end() {
	local s
	for _ in $(seq $(( $2 * 2 ))); do
		s=$(scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
		case $s in
			COMPLETED|FAILED|TIMEOUT|CANCELLED|NODE_FAIL|OUT_OF_MEMORY) echo "$s"; return 0 ;;
		esac
		sleep 0.5
	done
	echo "${s:-UNKNOWN}"
	return 1
}
# Job id from 'smab submit' output.
job_id() { sed -n 's/^Submitted batch job \([0-9][0-9_]*\).*/\1/p' <<<"$1"; }

# Time limit: 1 minute (SLURM's unit), against ~150 s of stretched tasks.
cat >long.yaml <<'YAML'
suite: drift
seed: 13
replications: 300
params: {horizon: 500}
sweep:
  drift: [0, 1]
record: 4
YAML
mpi 2 run long.yaml -o long-direct.h5 -q >/dev/null 2>&1
out=$(SMAB_TEST_TASK_DELAY=0.5 "$SMAB" submit long.yaml --ntasks 2 --time 1 -o long.h5 2>&1)
id=$(job_id "$out")
check "the time-limited job is submitted" test -n "$id"
long_id=$id

# A name with spaces and shell metacharacters travels safely into the job.
name="exp one; \$(touch PWNED)"
cat >"$name.yaml" <<'YAML'
suite: drift
seed: 12
replications: 30
params: {horizon: 2000}
sweep:
  drift: [0, 0.4]
record: 8
YAML
mpi 2 run "$name.yaml" -o direct.h5 -q >/dev/null 2>&1
check "the direct mpirun run succeeds" test $? -eq 0

out=$("$SMAB" submit "$name.yaml" --ntasks 2 --time 00:05:00 -o "out dir/job.h5" 2>&1)
id=$(job_id "$out")
check "smab submit hands the job to sbatch ($out)" test -n "$id"
state=$(job_end "$id" 120)
check "the job completes (state $state)" test "$state" = COMPLETED
check "the job's file equals the direct run's (h5diff)" same_results direct.h5 "out dir/job.h5"
check "nothing in the name was executed" test ! -e PWNED
check "the job wrote its SLURM log under a sanitized name" \
	bash -c "ls smab-exp_one*PWNED_-$id.out >/dev/null 2>&1"

# An array of 3 shards, then merge.
out=$("$SMAB" submit "$name.yaml" --shards 3 --time 5 -o shards/s.h5 2>&1)
id=$(job_id "$out")
check "an array of shards is submitted" test -n "$id"
# (The array's own id names all its elements at once: wait on each.)
for i in 0 1 2; do
	state=$(job_end "${id}_$i" 60)
	[ "$state" = COMPLETED ] || notok "shard element $i ended $state"
done
"$SMAB" merge shards/s.shard-*-of-3.h5 -o merged.h5 >/dev/null 2>&1
check "the three shard files merge" test $? -eq 0
check "the merged array equals the direct run (h5diff)" same_results direct.h5 merged.h5
# /history: each shard's session with its array element, then the merge.
hist=$(/usr/bin/python3 -c '
import h5py, sys
h = h5py.File(sys.argv[1], "r")["history"][:]
print(" ".join("%s:%s" % (r["action"].decode(), r["slurm_job"].decode()) for r in h if r["session"] > 0))
' merged.h5 2>&1)
check "the merged file's history names each array element and the merge ($hist)" \
	test "$hist" = "create:${id}_0 create:${id}_1 create:${id}_2 merge:"

# The time-limited job has been sleeping through its tasks meanwhile.
id=$long_id
state=$(job_end "$id" 150)
check "SLURM stops it at its time limit (state $state)" test "$state" = TIMEOUT
n=$(ndone long.h5)
check "it left some but not all tasks done ($n of 600)" test "$n" -gt 0 -a "$n" -lt 600
check "the ranks saw SIGTERM and closed the file" \
	grep -q 'stopped by a signal after .* resumable' "smab-long-$id.out"
check "the job exited with smab's status 3" grep -q 'exit status 3;' "smab-long-$id.out"
out=$("$SMAB" submit long.yaml --ntasks 2 --time 5 -o long.h5 --resume 2>&1)
id=$(job_id "$out")
state=$(job_end "$id" 120)
check "the resubmitted job with --resume completes (state $state)" test "$state" = COMPLETED
check "the resumed file equals an uninterrupted run (h5diff)" same_results long-direct.h5 long.h5
hist=$(/usr/bin/python3 -c '
import h5py, sys
h = h5py.File(sys.argv[1], "r")["history"][:]
print(" ".join("%s:%s:%d:%d" % (r["action"].decode(), r["slurm_job"].decode(), r["tasks_before"], r["tasks_after"]) for r in h if r["session"] > 0))
' long.h5 2>&1)
check "its history: the stopped session, then the resumed one with its job id ($hist)" \
	test "$hist" = "create:$long_id:0:$n resume:$id:$n:600"
echo done
