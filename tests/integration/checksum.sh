# /tasks/checksum and /history: a bit flipped in the results of a finished
# file (a scalar and a curve dataset, or the checksum itself) is found by
# 'smab verify' (exit 2, naming the point and replication) and refused by
# summary, merge, shapley and run --resume (exit 2, naming --repair), which
# leave the file as it was; 'run --resume --repair' computes those tasks
# again and ends equal to an uninterrupted run.  /history holds one row per
# session (create, resume, repair, merge) with its build, host, SLURM job,
# ranks and tasks; resuming a file another build wrote warns, naming both
# commits, and --same-build refuses it.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
PY=/usr/bin/python3
cat >tool.py <<'PY'
import sys, h5py, numpy as np
cmd, path = sys.argv[1], sys.argv[2]
if cmd == 'flip':       # flip DSET I,J[,K] BYTE BIT: one bit of one element, on disk
    dset, idx, byte, bit = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    with h5py.File(path, 'r') as f:
        d = f[dset]
        flat = int(np.ravel_multi_index(tuple(int(x) for x in idx.split(',')), d.shape))
        at = d.id.get_offset() + flat * d.dtype.itemsize + byte
    with open(path, 'r+b') as f:
        f.seek(at)
        b = f.read(1)[0] ^ (1 << bit)
        f.seek(at)
        f.write(bytes([b]))
elif cmd == 'history':  # history: one line per session (history.sh checks the rest)
    keys = ('session', 'action', 'smab_version', 'git_commit', 'host', 'slurm_job',
            'ranks', 'tasks_before', 'tasks_after')
    with h5py.File(path, 'r') as f:
        for r in f['history'][:]:
            if r['session'] > 0:
                print(' '.join(str(r[k].decode() if isinstance(r[k], bytes) else r[k])
                               or '-' for k in keys))
elif cmd == 'recommit': # recommit ROW COMMIT: as if another build had written row ROW
    with h5py.File(path, 'r+') as f:
        h = f['history']
        r = h[int(sys.argv[3])]
        r['git_commit'] = sys.argv[4].encode()
        h[int(sys.argv[3])] = r
elif cmd == 'nohistory':  # /history replaced by one int64: unreadable as sessions
    with h5py.File(path, 'r+') as f:
        del f['history']
        f.create_dataset('history', shape=(1,), dtype='i8')
elif cmd == 'attr':
    with h5py.File(path, 'r') as f:
        a = f.attrs[sys.argv[3]]
        print(a.decode() if isinstance(a, bytes) else a)
PY
cat >c.yaml <<'YAML'
suite: drift
seed: 17
replications: 5
mechanisms: [ucb, ts]
params: {horizon: 1000}
sweep:
  drift: [0, 0.7]
record: 5
YAML
"$SMAB" run c.yaml -o ref.h5 -q >/dev/null 2>&1
check "the reference run succeeds" test $? -eq 0
out=$("$SMAB" verify ref.h5 2>&1); rc=$?
check "smab verify of an intact file exits 0: $out" \
	eval '[ $rc -eq 0 ] && grep -q "ok: 10 of 10 tasks done" <<<"$out"'
commit=$($PY tool.py attr ref.h5 git_commit)
version=$("$SMAB" --version | cut -d' ' -f2)
host=$(hostname)
hist=$($PY tool.py history ref.h5)
check "/history of a new file: one row, session 1 'create' by this build on this host, 1 rank, 0 -> 10 tasks ($hist)" \
	test "$hist" = "1 create $version $commit $host - 1 0 10"

# ---- damaged results ----------------------------------------------------
# A mantissa bit of ucb's regret at point 1 replication 2, and of ts's
# regret curve at point 0 replication 4, checkpoint 1.
cp ref.h5 d.h5
$PY tool.py flip d.h5 /results/ucb/regret 1,2 3 4
$PY tool.py flip d.h5 /results/ts/regret_curve 0,4,1 2 6
cp d.h5 d.keep
check "the flipped file differs from the reference in /results" \
	eval '! h5diff -q ref.h5 d.h5 /results /results >/dev/null 2>&1'
out=$("$SMAB" verify d.h5 2>&1); rc=$?
check "smab verify exits 2 (got $rc) and says DAMAGED: 2 of 10" \
	eval '[ $rc -eq 2 ] && grep -q "DAMAGED: 2 of 10 tasks" <<<"$out"'
check "... listing point 1 replication 2 (a scalar) and point 0 replication 4 (a curve)" \
	eval 'grep -qE "point 1 .*replication 2$" <<<"$out" && grep -qE "point 0 .*replication 4$" <<<"$out"'
check "... and names --repair" grep -q -- '--repair' <<<"$out"
out=$("$SMAB" summary d.h5 2>&1); rc=$?
check "smab summary refuses it (exit 2, got $rc), naming --repair" \
	eval '[ $rc -eq 2 ] && grep -q -- "--repair" <<<"$out"'
out=$("$SMAB" merge d.h5 -o m.h5 2>&1); rc=$?
check "smab merge refuses it (exit 2, got $rc), naming --repair, and writes no output" \
	eval '[ $rc -eq 2 ] && grep -q -- "--repair" <<<"$out" && [ ! -e m.h5 ] && [ -z "$(ls -A | grep "\.m\.h5\.")" ]'
out=$("$SMAB" run c.yaml -o d.h5 --resume -q 2>&1); rc=$?
check "smab run --resume refuses it (exit 2, got $rc), naming --repair" \
	eval '[ $rc -eq 2 ] && grep -q -- "--repair" <<<"$out"'
check "verify, summary, merge and the refused resume left the file byte-identical" cmp -s d.h5 d.keep
SLURM_JOB_ID=4242 "$SMAB" run c.yaml -o d.h5 --resume --repair -q >repair.log 2>&1; rc=$?
check "run --resume --repair heals it (got $rc)" \
	eval '[ $rc -eq 0 ] && "$SMAB" verify d.h5 >/dev/null'
check "... and ends equal to the uninterrupted run" same_results ref.h5 d.h5
hist=$($PY tool.py history d.h5 | sed -n 2p)
check "/history gets a 'repair' row with SLURM job 4242 and 8 -> 10 tasks ($hist)" \
	test "$hist" = "2 repair $version $commit $host 4242 1 8 10"
# The checksum itself damaged: the task is damaged all the same.
cp ref.h5 k.h5
$PY tool.py flip k.h5 /tasks/checksum 1,0 0 0
out=$("$SMAB" verify k.h5 2>&1); rc=$?
check "a flipped /tasks/checksum: verify exits 2 (got $rc), naming point 1 replication 0" \
	eval '[ $rc -eq 2 ] && grep -qE "point 1 .*replication 0$" <<<"$out"'
mpi 2 run c.yaml -o k.h5 --resume --repair -q >/dev/null 2>&1; rc=$?
check "... and --repair on 2 ranks heals it too (got $rc)" \
	eval '[ $rc -eq 0 ] && same_results ref.h5 k.h5'
hist=$($PY tool.py history k.h5 | sed -n 2p)
check "/history records the 2 ranks of that repair, 9 -> 10 tasks ($hist)" \
	test "$hist" = "2 repair $version $commit $host - 2 9 10"
# The tables made from the plan: /points and /results/checkpoints.
for t in /points:0 /results/checkpoints:1,2; do
	dset=${t%%:*} idx=${t#*:}
	cp ref.h5 p.h5
	$PY tool.py flip p.h5 "$dset" "$idx" 1 3
	out=$("$SMAB" verify p.h5 2>&1); rc=$?
	check "a flipped $dset: verify exits 2 (got $rc), naming it" \
		eval '[ $rc -eq 2 ] && grep -q "DAMAGED: $dset" <<<"$out"'
	"$SMAB" summary p.h5 >/dev/null 2>&1; rc=$?
	check "... summary refuses it (exit 2, got $rc)" test $rc -eq 2
	"$SMAB" run c.yaml -o p.h5 --resume -q >/dev/null 2>&1; rc=$?
	check "... so does --resume (exit 2, got $rc)" test $rc -eq 2
	"$SMAB" run c.yaml -o p.h5 --resume --repair -q >/dev/null 2>&1; rc=$?
	check "... and --repair rewrites it from the experiment (got $rc): verify ok, equal to the reference" \
		eval '[ $rc -eq 0 ] && "$SMAB" verify p.h5 >/dev/null 2>&1 && h5diff -q ref.h5 p.h5 "$dset" "$dset"'
done
# A plain resume of a finished file is a session too.
cp ref.h5 r.h5
"$SMAB" run c.yaml -o r.h5 --resume -q >/dev/null 2>&1
hist=$($PY tool.py history r.h5 | sed -n 2p)
check "/history gets a 'resume' row for a resume, 10 -> 10 tasks ($hist)" \
	test "$hist" = "2 resume $version $commit $host - 1 10 10"
# A /history that resume and merge cannot read: verify does not call the
# file sound either.
cp ref.h5 h.h5
$PY tool.py nohistory h.h5
out=$("$SMAB" verify h.h5 2>&1); rc=$?
check "smab verify refuses a file whose /history is not a session table (exit 2, got $rc)" \
	eval '[ $rc -eq 2 ] && grep -q "/history" <<<"$out"'
"$SMAB" run c.yaml -o h.h5 --resume -q >/dev/null 2>&1; rc=$?
check "... as run --resume does (exit 2, got $rc)" test $rc -eq 2
# Shards and their merge.
"$SMAB" run c.yaml --shard 0/2 -o s0.h5 -q >/dev/null 2>&1
"$SMAB" run c.yaml --shard 1/2 -o s1.h5 -q >/dev/null 2>&1
"$SMAB" merge s0.h5 s1.h5 -o all.h5 >/dev/null 2>&1
hist=$($PY tool.py history all.h5 | cut -d' ' -f1,2,8,9 | tr '\n' ';')
check "a merged file's /history: both shards' 'create' rows, then 'merge' with 10 tasks ($hist)" \
	test "$hist" = "1 create 0 5;2 create 0 5;3 merge 0 10;"
# A coalition file with a damaged regret: no Shapley table of it.
cat >g.yaml <<'YAML'
suite: coalition
seed: 4
replications: 2
mechanisms: [linucb]
params: {instance: synthetic, horizon: 150}
sweep:
  coalition: all
record: 3
YAML
"$SMAB" run g.yaml -o g.h5 -q >/dev/null 2>&1
$PY tool.py flip g.h5 /results/linucb/regret_a1 3,1 4 2
cp g.h5 g.keep
out=$("$SMAB" shapley g.h5 --no-write 2>&1); rc=$?
check "smab shapley refuses a coalition file whose results fail their checksum (exit 2, got $rc), naming --repair" \
	eval '[ $rc -eq 2 ] && grep -q -- "--repair" <<<"$out" && cmp -s g.h5 g.keep'

# ---- another build --------------------------------------------------------
# As if an earlier session had been run by another commit of smab.
cp ref.h5 o.h5
$PY tool.py recommit o.h5 0 0123456789ab-other
cp o.h5 o.keep
out=$("$SMAB" run c.yaml -o o.h5 --resume --same-build -q 2>&1); rc=$?
check "--resume --same-build refuses a file another build wrote (exit 2, got $rc)" \
	eval '[ $rc -eq 2 ] && cmp -s o.h5 o.keep'
check "... naming both commits" \
	eval 'grep -q "0123456789ab-other" <<<"$out" && grep -qF "$commit" <<<"$out"'
out=$("$SMAB" run c.yaml -o o.h5 --resume -q 2>&1); rc=$?
warn=$(grep -i warning <<<"$out")
check "--resume of it succeeds (got $rc) with a warning naming both commits: $warn" \
	eval '[ $rc -eq 0 ] && grep -q "0123456789ab-other" <<<"$warn" && grep -qF "$commit" <<<"$warn"'
hist=$($PY tool.py history o.h5 | cut -d' ' -f1,2,4 | tr '\n' ';')
check "... and /history keeps the other build's row and adds this one's ($hist)" \
	test "$hist" = "1 create 0123456789ab-other;2 resume $commit;"
echo done
