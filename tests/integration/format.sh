# File format 3 and the files written before it.  A new file says format 3
# and carries its dimension scales; a format-2 file (rebuilt here from a
# new one the way smab 0.2 wrote it: fixed-length string attributes,
# /points in doubles and HDF5 enums without a label, no scales, no
# descriptions, no sweep attributes) is still read by summary, verify and
# shapley with the same numbers, while --resume and merge refuse it with
# one line that names its format and the smab that wrote it.
source "$(dirname "$0")/lib.bash"
PY=/usr/bin/python3
cd "$TMP"
cat >f.yaml <<'YAML'
suite: drift
seed: 5
replications: 4
mechanisms: [ucb, greedy]
params: {horizon: 200}
sweep:
  drift: [0, 0.5]
  noise: [gaussian, bernoulli]
  arms: [3, 4]
record: 5
YAML
cat >c.yaml <<'YAML'
suite: coalition
seed: 9
replications: 3
mechanisms: [linucb]
params: {instance: synthetic, horizon: 100, metc.explore: 20}
sweep:
  coalition: all
record: 2
YAML
"$SMAB" run f.yaml -o new.h5 -q >/dev/null 2>&1
check "a new file is written" test $? -eq 0
check "it says format 3" sh -c "h5dump -a /format new.h5 | grep -q '(0): 3'"
check "its results carry dimension scales and a description" \
	sh -c "h5dump -A -d /results/ucb/regret new.h5 | grep -q DIMENSION_LIST &&
	       h5dump -a /results/ucb/regret/description new.h5 | grep -q 'cumulative pseudo-regret'"
if ! "$PY" -c 'import h5py' 2>/dev/null; then
	echo "skip - format-2 files: python3-h5py not installed"
	echo done
	exit 0
fi
cp new.h5 old.h5 && "$PY" "$ROOT/tests/python/format2.py" old.h5
check "a format-3 file is rewritten as format 2" test $? -eq 0
check "... which says format 2" sh -c "h5dump -a /format old.h5 | grep -q '(0): 2'"
"$SMAB" summary new.h5 --csv >new.csv 2>&1
"$SMAB" summary old.h5 --csv >old.csv 2>&1
check "smab summary reads format 2: the same table as format 3" \
	sh -c "test -s new.csv && cmp -s new.csv old.csv"
check "... and its columns: drift, noise, arms" sh -c "head -1 old.csv | grep -q '^point,drift,noise,arms,mechanism'"
"$SMAB" verify old.h5 >v.out 2>&1
check "smab verify reads format 2: every checksum matches" \
	sh -c "test $? -eq 0 && grep -q 'every checksum matches' v.out"
"$SMAB" run f.yaml -o old.h5 --resume -q >r.out 2>&1; rc=$?
check "--resume refuses format 2 (exit $rc), in one line naming it and its smab" \
	sh -c "test $rc -eq 2 && test \$(wc -l <r.out) -eq 1 &&
	       grep -q 'old.h5 has file format 2, written by smab 0.2.0.*resumes format 3 only' r.out"
"$SMAB" run f.yaml --shard 0/2 -o s0.h5 -q >/dev/null 2>&1
"$SMAB" run f.yaml --shard 1/2 -o s1.h5 -q >/dev/null 2>&1
"$PY" "$ROOT/tests/python/format2.py" s1.h5
"$SMAB" merge s0.h5 s1.h5 -o m.h5 >m.out 2>&1; rc=$?
check "merge refuses a format-2 shard (exit $rc), in one line naming it and its smab" \
	sh -c "test $rc -eq 2 && test ! -e m.h5 && test \$(wc -l <m.out) -eq 1 &&
	       grep -q 's1.h5 has file format 2, written by smab 0.2.0.*merges format 3 only' m.out"
"$SMAB" run c.yaml -o cnew.h5 -q >/dev/null 2>&1
cp cnew.h5 cold.h5 && "$PY" "$ROOT/tests/python/format2.py" cold.h5
"$SMAB" shapley cnew.h5 --no-write >cnew.txt 2>&1
"$SMAB" shapley cold.h5 --no-write >cold.txt 2>&1
check "smab shapley reads format 2: the same tables as format 3" \
	sh -c "grep -q Shapley cnew.txt && cmp -s cnew.txt cold.txt"
echo done
