# smab submit on a real single-node SLURM (scripts/slurm-local.sh): the job's
# file equals a direct mpirun run; an array of shards submitted with --merge
# is merged by its merge job into the same; a job with a 1-minute time limit
# and --resubmit 2 is stopped (SIGTERM), resubmits itself with --resume and
# ends equal to an uninterrupted run, its /history showing each session.
# Skipped, and said so, only when SLURM is not installed or cannot start here.
source "$(dirname "$0")/lib.bash"
export PATH=$PATH:/usr/sbin
started=0
export SMAB_SLURM_DIR=${SMAB_SLURM_DIR:-/tmp/smab-slurm}
eval "$("$ROOT/scripts/slurm-local.sh" env)"
unset SMAB_SITE SMAB_LAUNCH SMAB_SBATCH
export HOME=$TMP/home   # no site file of the user's
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
# (The delay reaches the resubmitted jobs too: sbatch passes the environment on.)
out=$(SMAB_TEST_TASK_DELAY=0.5 "$SMAB" submit long.yaml --ntasks 2 --time 1 --resubmit 2 \
	-o long.h5 2>&1)
id=$(job_id "$out")
check "the time-limited job with --resubmit 2 is submitted" test -n "$id"
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

# An array of 3 shards and its merge job.
out=$("$SMAB" submit "$name.yaml" --shards 3 --merge --time 5 -o shards/s.h5 2>&1)
id=$(job_id "$out")
mid=$(sed -n 's/^Submitted batch job \([0-9]*\) (merge into .*/\1/p' <<<"$out")
check "an array of shards and its merge job are submitted ($id, $mid)" test -n "$id" -a -n "$mid"
check "SLURM holds the merge job on the array (afterany)" \
	eval 'scontrol show job "$mid" | grep -q "Dependency=afterany:${id}_\*"'
state=$(job_end "$mid" 150)
check "the merge job completes after the array (state $state)" test "$state" = COMPLETED
for i in 0 1 2; do
	state=$(job_end "${id}_$i" 5)
	[ "$state" = COMPLETED ] || notok "shard element $i ended $state"
done
check "the merged file equals the direct run (h5diff)" same_results direct.h5 shards/s.h5
# /history: each shard's session with its array element, then the merge job's.
hist=$(/usr/bin/python3 -c '
import h5py, sys
h = h5py.File(sys.argv[1], "r")["history"][:]
print(" ".join("%s:%s" % (r["action"].decode(), r["slurm_job"].decode()) for r in h if r["session"] > 0))
' shards/s.h5 2>&1)
check "the merged file's history names each array element and the merge job ($hist)" \
	test "$hist" = "create:${id}_0 create:${id}_1 create:${id}_2 merge:$mid"

# The time-limited job has been sleeping through its tasks meanwhile: each
# job of the chain is stopped at its limit and submits the next, until one
# completes (SLURM checks limits every 30 s: two or three jobs).
id=$long_id chain=$long_id
for k in 1 2 3; do
	state=$(job_end "$id" 200)
	[ "$state" = TIMEOUT ] || break
	next=$(sed -n "s/^smab job $id: stopped by the time limit; resubmitted as job \([0-9]*\) (resubmission $k of 2)\$/\1/p" "smab-long-$id.out")
	[ -n "$next" ] || break
	id=$next chain="$chain $id"
done
check "the first job is stopped by its time limit and resubmits itself ($chain)" \
	test "$(wc -w <<<"$chain")" -ge 2
check "the ranks saw SIGTERM and closed the file" \
	grep -q 'stopped by a signal after .* resumable' "smab-long-$long_id.out"
# (Its state may read TIMEOUT when it ended within the 30 s between two
# checks of the limit; its exit code says whether the run finished.)
code=$(scontrol show job "$id" | grep -o 'ExitCode=[0-9:]*')
check "the last job of the chain finishes the run by itself (state $state, $code)" \
	test "$code" = ExitCode=0:0
check "the file equals an uninterrupted run (h5diff)" same_results long-direct.h5 long.h5
# /history: one session per job of the chain, the first creating the file,
# each later one resuming where the one before stopped, with its job id
# and resubmission number when the file records it.
hist=$(/usr/bin/python3 -c '
import h5py, sys
h = h5py.File(sys.argv[1], "r")["history"][:]
rows = [r for r in h if r["session"] > 0]
resub = "resubmission" in h.dtype.names
prev, ok = 0, True
for k, r in enumerate(rows):
    ok &= r["action"].decode() == ("create" if k == 0 else "resume")
    ok &= r["tasks_before"] == prev and r["tasks_after"] >= prev
    ok &= not resub or int(r["resubmission"]) == k
    prev = r["tasks_after"]
print(" ".join(r["slurm_job"].decode() for r in rows), prev, "ok" if ok else "bad")
' long.h5 2>&1)
check "its history has one session per job ($hist)" test "$hist" = "$chain 600 ok"
[ "$hist" = "$chain 600 ok" ] || for j in $chain; do grep -v '^ ' "smab-long-$j.out" | sed "s/^/    $j: /"; done
echo done
