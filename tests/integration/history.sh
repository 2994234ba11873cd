# /history across sessions: a run stopped by SIGTERM, a resume killed with
# SIGKILL, a resume that fails, a resume that finishes -- each a row with its
# action, outcome, ranks, hosts, SLURM job and array element, resubmission
# and the tasks done in it, adding up to the total.  'smab info' and 'smab
# summary --history' print that table; a resume by another commit warns
# naming both, and --strict-provenance (or --same-build) refuses it; merge
# keeps the shards' rows; a history table of the older, narrower row type
# still prints and takes new rows.  Then file systems without locks (an
# LD_PRELOAD shim): HDF5's lock failure gets one clear message naming
# HDF5_USE_FILE_LOCKING=FALSE, and a missing byte-range lock a warning.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
PY=/usr/bin/python3
host=$(hostname)
cat >h.yaml <<'YAML'
suite: drift
seed: 5
replications: 20
mechanisms: [ucb, greedy]
params: {horizon: 300}
sweep:
  drift: [0, 0.5]
record: 3
YAML
T=40
# One line per used row: the named fields, '-' for an empty string.
cat >rows.py <<'PY'
import sys, h5py
keys = sys.argv[2].split(',')
with h5py.File(sys.argv[1], 'r') as f:
    for r in f['history'][:]:
        if r['session'] > 0:
            print(' '.join((r[k].decode() or '-') if isinstance(r[k], bytes) else str(r[k])
                           for k in keys))
PY
rows() { $PY rows.py "$@" 2>&1; }
# Wait until file $1 exists and holds at least $2 done tasks.
wait_tasks() {
	for _ in $(seq 400); do
		[ -s "$1" ] && [ "$(ndone "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- sessions: stopped, killed, failed, finished ---------------------------
SMAB_TEST_TASK_DELAY=0.1 "$SMAB" run h.yaml -o a.h5 -q >stop.log 2>&1 &
pid=$!
wait_tasks a.h5 3
kill -TERM $pid
wait $pid
rc=$?
check "session 1, stopped by SIGTERM, exits 3 (got $rc)" test $rc -eq 3
n1=$(ndone a.h5)
# A live writer: its row says 'running' and info says the file is in use.
SMAB_RESUBMISSION=2 SLURM_JOB_ID=7001 SLURM_ARRAY_JOB_ID=7000 SLURM_ARRAY_TASK_ID=3 \
	SMAB_TEST_TASK_DELAY=0.25 "$SMAB" run h.yaml -o a.h5 --resume -q >/dev/null 2>&1 &
pid=$!
wait_tasks a.h5 $((n1 + 1))
live=$("$SMAB" info a.h5 2>&1)
check "smab info on a file being written: 'in use', its last session 'running'" \
	eval 'grep -q "^in use" <<<"$live" && grep -qE "^ +2 resume .* running " <<<"$live"'
kill -KILL $pid
wait $pid 2>/dev/null
n2=$(ndone a.h5)
SMAB_TEST_FAIL_AFTER=1 SMAB_TEST_TASK_DELAY=0.05 mpirun --oversubscribe -x SMAB_TEST_FAIL_AFTER \
	-x SMAB_TEST_TASK_DELAY -np 2 "$SMAB" run h.yaml -o a.h5 --resume -q >fail.log 2>&1
rc=$?
check "session 3 fails on rank 1 (SMAB_TEST_FAIL_AFTER): exit 1 (got $rc)" test $rc -eq 1
n3=$(ndone a.h5)
mpi 2 run h.yaml -o a.h5 --resume -q >/dev/null 2>&1
rc=$?
check "session 4 finishes on 2 ranks (got $rc)" test $rc -eq 0
got=$(rows a.h5 session,action,outcome,ranks,tasks_before,tasks_after | tr '\n' ';')
check "rows create/resume/resume/resume, outcomes stopped/interrupted/failed/finished, tasks chained ($got)" \
	test "$got" = "1 create stopped 1 0 $n1;2 resume interrupted 1 $n1 -1;3 resume failed 2 $n2 -1;4 resume finished 2 $n3 $T;"
check "every session but the last did some tasks: 0 < $n1 < $n2 < $n3 <= $T" \
	test 0 -lt $n1 -a $n1 -lt $n2 -a $n2 -lt $n3 -a $n3 -le $T
got=$(rows a.h5 host,hosts | sort -u)
check "host and hosts name this host ($got)" test "$got" = "$host $host"
got=$(rows a.h5 slurm_job,slurm_array_task,resubmission | tr '\n' ';')
check "SLURM job, array element and SMAB_RESUBMISSION land in session 2 only ($got)" \
	test "$got" = "- -1 0;7000_3 3 2;- -1 0;- -1 0;"
flags=$($PY -c 'import h5py,sys; v = h5py.File(sys.argv[1],"r").attrs["build_flags"]; v = v.decode() if isinstance(v, bytes) else v; print(v[:255])' a.h5)
got=$(rows a.h5 build_flags | sort -u)
check "build_flags of every row are this build's" test -n "$flags" -a "$got" = "$flags"
got=$(rows a.h5 started_utc,ended_utc | tr '\n' ';')
check "start and end stamps are UTC ISO 8601, ended on every row but the killed one ($got)" \
	eval 'grep -qE "^([0-9T:-]{19}Z [0-9T:-]{19}Z;){1}[0-9T:-]{19}Z -;([0-9T:-]{19}Z [0-9T:-]{19}Z;){2}$" <<<"$got"'

# ---- the printed table ----------------------------------------------------
info=$("$SMAB" info a.h5 2>&1)
check "smab info exits 0 and states format, experiment, shape, tasks and checksums" \
	eval 'grep -q "^format  *[0-9]" <<<"$info" && grep -q "^experiment  h (suite drift, seed 5)" <<<"$info" &&
	      grep -q "^shape  *2 points x 20 replications, 3 checkpoints" <<<"$info" &&
	      grep -q "^tasks  *$T of $T done" <<<"$info" && grep -q "^checksums  *ok" <<<"$info"'
line() { grep -E "^ +$1 " <<<"$info"; }
check "its table: session 1 stopped, 0->$n1 (+$n1), 1 rank" \
	eval 'line 1 | grep -qE "^ +1 create .* stopped .* 1 +0->$n1 \(\+$n1\) - +0 $host$"'
check "session 2 interrupted, $n1->? (+?), SLURM 7000_3, resubmission 2" \
	eval 'line 2 | grep -qE " interrupted .* $n1->\? \(\+\?\) 7000_3 +2 $host$"'
check "session 3 failed, session 4 finished $n3->$T (+$((T - n3))) on 2 ranks" \
	eval 'line 3 | grep -q " failed " && line 4 | grep -qE " finished .* 2 +$n3->$T \(\+$((T - n3))\) "'
hist=$("$SMAB" summary a.h5 --history 2>&1)
check "smab summary --history prints the same table" test "$hist" = "$(sed -n '/^history:$/,$p' <<<"$info" | tail -n +2)"
"$SMAB" summary a.h5 --history --csv >/dev/null 2>&1
rc=$?
check "summary --history with --csv is refused (exit 2, got $rc)" test $rc -eq 2
"$SMAB" info >/dev/null 2>&1
rc=$?
check "smab info without a file: exit 2 (got $rc)" test $rc -eq 2
"$SMAB" info --help | grep -q "usage: smab info OUT.h5"
check "smab info --help" test $? -eq 0
"$SMAB" info h.yaml >/dev/null 2>&1
rc=$?
check "smab info of a non-result file: exit 2 (got $rc)" test $rc -eq 2

# ---- another commit ---------------------------------------------------------
# SMAB_TEST_GIT_COMMIT (a test hook) plays a build of another commit.
commit=$(rows a.h5 git_commit | tail -1)
cp a.h5 o.h5
cp o.h5 o.keep
out=$(SMAB_TEST_GIT_COMMIT=0123456789ab-other "$SMAB" run h.yaml -o o.h5 --resume \
	--strict-provenance -q 2>&1)
rc=$?
check "--strict-provenance refuses a resume by another commit (exit 2, got $rc), file untouched" \
	eval '[ $rc -eq 2 ] && cmp -s o.h5 o.keep'
check "... naming both commits" \
	eval 'grep -q "0123456789ab-other" <<<"$out" && grep -qF "commit $commit" <<<"$out"'
SMAB_TEST_GIT_COMMIT=0123456789ab-other "$SMAB" run h.yaml -o o.h5 --resume --same-build -q \
	>/dev/null 2>&1
rc=$?
check "--same-build is the same refusal (exit 2, got $rc)" test $rc -eq 2
out=$(SMAB_TEST_GIT_COMMIT=0123456789ab-other "$SMAB" run h.yaml -o o.h5 --resume -q 2>&1)
rc=$?
warn=$(grep "warning" <<<"$out")
check "without it: resumed (got $rc) with a warning naming both commits" \
	eval '[ $rc -eq 0 ] && grep -q "0123456789ab-other" <<<"$warn" && grep -qF "$commit" <<<"$warn"'
out=$("$SMAB" run h.yaml -o o.h5 --resume -q 2>&1)
check "back to this build: the last session was the other one, so a warning again" \
	eval 'grep -q "warning: .*0123456789ab-other" <<<"$out"'
got=$(rows o.h5 session,git_commit | tail -2 | tr '\n' ';')
check "/history records each build ($got)" test "$got" = "5 0123456789ab-other;6 $commit;"
out=$("$SMAB" run h.yaml -o o.h5 --resume --strict-provenance -q 2>&1)
rc=$?
check "the same build again: no warning, --strict-provenance passes (got $rc)" \
	eval '[ $rc -eq 0 ] && ! grep -q warning <<<"$out"'

# ---- merge ------------------------------------------------------------------
"$SMAB" run h.yaml --shard 0/2 -o s0.h5 -q >/dev/null 2>&1
"$SMAB" run h.yaml --shard 1/2 -o s1.h5 -q >/dev/null 2>&1
"$SMAB" merge s0.h5 s1.h5 -o m.h5 >/dev/null 2>&1
got=$(rows m.h5 session,action,outcome,tasks_before,tasks_after | tr '\n' ';')
check "merge keeps both shards' finished rows and adds its own ($got)" \
	test "$got" = "1 create finished 0 20;2 create finished 0 20;3 merge finished 0 $T;"

# ---- an older, narrower history table --------------------------------------
# The row type of files written before build_flags, hosts, slurm_array_task,
# resubmission and outcome: the first eleven fields.  Session 2 never ended.
cp a.h5 n.h5
$PY - n.h5 <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r+') as f:
    old = f['history'][:]
    names = ['session', 'started_utc', 'ended_utc', 'action', 'smab_version', 'git_commit',
             'host', 'slurm_job', 'ranks', 'tasks_before', 'tasks_after']
    dt = np.dtype([(n, old.dtype.fields[n][0]) for n in names])
    rows = np.zeros(len(old), dt)
    for n in names:
        rows[n] = old[n]
    rows['ended_utc'][1] = b''
    del f['history']
    f.create_dataset('history', data=rows)
PY
info=$("$SMAB" info n.h5 2>&1)
rc=$?
check "smab info reads the narrow table (got $rc): 4 sessions, 'ended' where no outcome was kept" \
	eval '[ $rc -eq 0 ] && [ $(grep -cE "^ +[1-4] (create|resume) " <<<"$info") -eq 4 ] &&
	      grep -qE "^ +1 create .* ended .* - +0 $host$" <<<"$info"'
check "... and the never-ended session 'interrupted'" \
	eval 'grep -qE "^ +2 resume .* interrupted " <<<"$info"'
"$SMAB" run h.yaml -o n.h5 --resume -q >/dev/null 2>&1
rc=$?
check "a resume writes its row into the narrow table (got $rc)" test $rc -eq 0
got=$(rows n.h5 session,action,tasks_before,tasks_after | tail -1)
fields=$($PY -c 'import h5py,sys; print(len(h5py.File(sys.argv[1],"r")["history"].dtype.names))' n.h5)
check "... as session 5, $T->$T, the table keeping its 11 fields ($got; $fields fields)" \
	test "$got" = "5 resume $T $T" -a "$fields" = 11
check "... which smab info shows as 'ended'" \
	eval '"$SMAB" info n.h5 | grep -qE "^ +5 resume .* ended "'

# ---- file systems without locks -------------------------------------------
if ! cc -shared -fPIC -o nolocks.so "$ROOT/tests/shim/nolocks.c" -ldl 2>cc.log; then
	echo "skip - no C compiler for the lock shim: $(head -1 cc.log)"
	echo done
	exit 0
fi
shim() { env NOLOCKS="$1" LD_PRELOAD="$TMP/nolocks.so" "${@:2}"; }
# HDF5 told to lock (a site may export it), flock failing with ENOLCK.
out=$(HDF5_USE_FILE_LOCKING=TRUE shim flock "$SMAB" run h.yaml -o l.h5 -q 2>&1)
rc=$?
check "HDF5 cannot lock: smab run exits 1 (got $rc), no file left" \
	eval '[ $rc -eq 1 ] && [ -z "$(ls -A | grep "l\.h5")" ]'
check "... one line saying what it means and naming HDF5_USE_FILE_LOCKING=FALSE ($out)" \
	eval '[ $(wc -l <<<"$out") -eq 1 ] && grep -q "does not support the file locks HDF5 takes" <<<"$out" &&
	      grep -q "HDF5_USE_FILE_LOCKING=FALSE" <<<"$out" && grep -q "safe for smab" <<<"$out"'
out=$(HDF5_USE_FILE_LOCKING=TRUE shim flock "$SMAB" info a.h5 2>&1)
rc=$?
check "... the same message from a reader, smab info (exit 2, got $rc)" \
	eval '[ $rc -eq 2 ] && grep -q "HDF5_USE_FILE_LOCKING=FALSE" <<<"$out"'
# Without that setting smab turns HDF5's locking off itself.
out=$(unset HDF5_USE_FILE_LOCKING; shim flock "$SMAB" run h.yaml -o l.h5 -q 2>&1)
rc=$?
check "flock failing, HDF5_USE_FILE_LOCKING unset: the run succeeds (got $rc)" test $rc -eq 0
cat >g.yaml <<'YAML'
suite: coalition
seed: 4
replications: 2
mechanisms: [linucb]
params: {instance: synthetic, horizon: 100}
sweep:
  coalition: all
record: 3
YAML
"$SMAB" run g.yaml -o g.h5 -q >/dev/null 2>&1
out=$(unset HDF5_USE_FILE_LOCKING; shim flock "$SMAB" shapley g.h5 2>&1)
rc=$?
check "... and so does smab shapley, which writes the file (got $rc)" test $rc -eq 0
# No byte-range locks either (NFS without a lock daemon): smab's own lock.
out=$(shim both "$SMAB" run h.yaml -o b.h5 -q 2>&1)
rc=$?
check "no byte-range locks: the run goes on (got $rc) with a warning that nothing keeps a second writer out" \
	eval '[ $rc -eq 0 ] && grep -q "warning: b.h5: no lock: .*second smab process" <<<"$out"'
out=$(shim fcntl "$SMAB" run h.yaml -o b.h5 --resume -q 2>&1)
check "... the same warning on --resume" grep -q "warning: b.h5: no lock" <<<"$out"
echo done
