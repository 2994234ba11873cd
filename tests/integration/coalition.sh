# The coalition suite through the whole engine: every coalition of a game,
# identical results on 1 and 2 ranks, the Shapley tables written to
# /coalition and obeying efficiency per replication, a sampled design, a
# small MovieLens-100k game, and clear errors for bad coalitions and a
# missing data directory.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
data=${SMAB_DATA:-}
[ -n "$data" ] || { [ -f "$ROOT/data/ml-100k/u.data" ] && data="$ROOT/data/ml-100k"; }
[ -n "$data" ] || { [ -f "$ROOT/../shared/data/ml-100k/u.data" ] && data="$ROOT/../shared/data/ml-100k"; }
[ -n "$data" ] || data=/work/shared/data/ml-100k
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

cat >syn.yaml <<'YAML'
suite: coalition
seed: 9
replications: 4
mechanisms: [linucb, metc, dev-random]
params: {instance: synthetic, horizon: 300, metc.explore: 60}
sweep:
  coalition: all
record: 4
YAML
for np in 1 2; do
	mpi $np run syn.yaml -o syn$np.h5 >syn$np.out 2>&1
	check "synthetic coalitions, all 31, with -np $np" test $? -eq 0
done
check "-np 1 and -np 2 give identical datasets" same_results syn1.h5 syn2.h5
check "every task is done" test "$(ndone syn2.h5)" -eq 124
check "the run prints the Shapley table" grep -q "Shapley" syn2.out
check "the run prints the core and convexity line" grep -q "core: .*convex: " syn2.out
$PY - syn2.h5 <<'PY' >py.out 2>&1
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["coalition"]
assert g.attrs["design"] in (b"exact", "exact"), g.attrs["design"]
assert f.attrs["agents"] in (b"1,2,3,4,5", "1,2,3,4,5")   # named from 1
for m in ("linucb", "metc", "dev-random"):
    sh = g[m]["shapley"][0]
    assert sh.shape == (5,) and (sh["n"] == 4).all()
    # efficiency: the Shapley values add up to v(grand) = -R^M in every
    # replication, so their means add up to the payouts' sum
    pay = g[m]["payout"][0]
    assert abs(sh["mean"].sum() - pay["mean"].sum()) < 1e-9 * abs(pay["mean"].sum()), m
    # and the payout is minus the agents' regrets in the grand coalition
    P = f["points"]["coalition"]
    gi = int(np.where(P == 31)[0][0])
    for a in range(5):
        r = f["results/%s/regret_a%d" % (m, a + 1)][gi]   # agents are numbered from 1
        assert abs(pay["mean"][a] + r.mean()) < 1e-9 * max(1, abs(r.mean()))
print("ok")
PY
check "Shapley values are efficient and the payout is -R_a^M" grep -qx ok py.out
"$SMAB" shapley syn1.h5 --all --no-write >all.out 2>&1
check "smab shapley --all prints per-coalition regrets" test $? -eq 0
check "... including the 5-agent coalition, its agents from 1" grep -q "(1, 2, 3, 4, 5)" all.out
check "... and names the agents from 1" grep -q "^  agents: 1=1 2=2 3=3 4=4 5=5$" all.out

# Shards carry no tables; their merge gets the same tables as one run.
for i in 0 1; do
	"$SMAB" run syn.yaml --shard $i/2 -o syn.s$i.h5 -q >/dev/null 2>&1
done
"$SMAB" merge syn.s0.h5 syn.s1.h5 -o merged.h5 >/dev/null 2>&1
check "two shards merge" test $? -eq 0
check "... and the merged file has the run's Shapley tables" \
	h5diff -q syn1.h5 merged.h5 /coalition/linucb/shapley /coalition/linucb/shapley

# A sampled design: only the coalitions along 3 random orders of 6 agents.
cat >perm.yaml <<'YAML'
suite: coalition
seed: 4
replications: 3
mechanisms: [mul-ucb]
params: {instance: fixed, agents: 6, horizon: 200}
sweep:
  coalition: {sample: permutations, n: 3}
YAML
mpi 2 run perm.yaml -o perm.h5 -q >perm.out 2>&1
check "a sampled coalition design runs" test $? -eq 0
$PY - perm.h5 <<'PY' >py2.out 2>&1
import h5py, sys
f = h5py.File(sys.argv[1], "r")
d = f["coalition"].attrs["design"]
d = d.decode() if isinstance(d, bytes) else d
assert d == "permutations", d
assert f.attrs["coalition_perms"].shape == (18,)
assert len(f["points"]) <= 18
print("ok")
PY
check "... and is tabled as a permutation estimate" grep -qx ok py2.out

# A small MovieLens-100k game: the two genders.
if [ -f "$data/u.data" ]; then
	cat >ml.yaml <<YAML
suite: coalition
seed: 2
replications: 2
mechanisms: [linucb, greedy]
params: {instance: movielens, groups: gender, dim: 12, horizon: 80, data: "$data"}
sweep:
  coalition: all
YAML
	for np in 1 2; do
		mpi $np run ml.yaml -o ml$np.h5 -q >ml$np.out 2>&1
		check "MovieLens gender game with -np $np" test $? -eq 0
	done
	check "MovieLens: -np 1 and -np 2 give identical datasets" same_results ml1.h5 ml2.h5
	check "MovieLens: the agents are named M,F" \
		sh -c "h5dump -a /agents ml1.h5 | grep -q '\"M,F\"'"
	# reuse: the three smallest groups of the 12-state game, whose users come
	# back every few dozen rounds; the default reuse and none give the same
	# datasets
	cat >reuse.yaml <<YAML
suite: coalition
seed: 4
replications: 2
mechanisms: [linucb, dev-greedy]
params: {instance: movielens, groups: state, states: 12, dim: 16, horizon: 400,
         deviate.agent: 11, data: "$data"}
sweep:
  coalition: {agents: [[10], [11], [12], [10, 11], [10, 12], [11, 12], [10, 11, 12]]}
YAML
	mpi 2 run reuse.yaml -o reuse-user.h5 -q >reuse-user.out 2>&1
	check "MovieLens 12-state game, the default reuse: user" test $? -eq 0
	mpi 2 run reuse.yaml -s params.reuse=none -o reuse-none.h5 -q >reuse-none.out 2>&1
	check "... and reuse: none" test $? -eq 0
	check "reuse: user and none give identical datasets" same_results reuse-user.h5 reuse-none.h5
else
	echo "skip - no MovieLens-100k copy here (set SMAB_DATA): MovieLens game"
fi

# One coalition, no coalition axis: an ordinary run, no tables.
cat >one.yaml <<'YAML'
suite: coalition
replications: 2
mechanisms: [linucb]
params: {instance: synthetic, horizon: 50, coalition: [0, 1]}
sweep:
  alpha: [0.5, 1]
YAML
mpi 1 run one.yaml -o one.h5 >one.out 2>&1
check "a run of one coalition (no coalition axis) succeeds" test $? -eq 0
check "... without coalition tables" sh -c "! h5dump -n one.h5 | grep -q ' /coalition'"

# Bad input: exit 2, file:line:col, nothing written.
cat >bad.yaml <<'YAML'
suite: coalition
sweep:
  coalition: [[0, 1], [2, 7]]
YAML
"$SMAB" run bad.yaml -o bad.h5 >bad.out 2>&1
check "an agent beyond the instance is refused with exit 2" test $? -eq 2
check "... at its line and column" grep -q "bad.yaml:3:27: .*agent in \[0, 4\]" bad.out
check "... and writes no file" test ! -e bad.h5
cat >prec.yaml <<'YAML'
suite: coalition
params: {horizon: 10, kernel: gemm, precision: single}
YAML
"$SMAB" run prec.yaml -o prec.h5 >prec.out 2>&1
check "precision: single with kernel: gemm is refused with exit 2" test $? -eq 2
check "... at the key, saying what it needs" grep -q "prec.yaml:2:[0-9]*: .*precision: single needs kernel: trmm" prec.out
check "... and writes no file" test ! -e prec.h5
cat >mixgemm.yaml <<'YAML'
suite: coalition
params: {horizon: 10, kernel: gemm, precision: mixed}
YAML
"$SMAB" run mixgemm.yaml -o mixgemm.h5 -q >mixgemm.out 2>&1
check "precision: mixed (the default) with kernel: gemm is accepted: gemm is all double" test $? -eq 0
cat >nodata.yaml <<'YAML'
suite: coalition
params: {instance: movielens, data: /nonexistent/ml-100k}
YAML
"$SMAB" run nodata.yaml -o nodata.h5 >nodata.out 2>&1
check "a missing data directory is refused with exit 2" test $? -eq 2
check "... naming the file it could not open" grep -q "/nonexistent/ml-100k/u\." nodata.out
check "... and says how to get the data" grep -q "fetch-movielens.sh" nodata.out
check "... and writes no file" test ! -e nodata.h5
echo done
