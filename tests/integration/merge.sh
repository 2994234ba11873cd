# 'run --shard i/n' + 'merge' = one run: /results and /summary equal
# (h5diff); overlaps, gaps and foreign files are refused with a reason.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >m.yaml <<'YAML'
suite: drift
seed: 8
replications: 7
params: {horizon: 1500}
sweep:
  drift: [0, 0.5, 1.1]
record: 6
YAML
mpi 2 run m.yaml -o ref.h5 -q >/dev/null 2>&1
check "the single reference run succeeds" test $? -eq 0
for i in 0 1 2; do
	mpi 2 run m.yaml --shard $i/3 -o s$i.h5 -q >/dev/null 2>&1 || notok "shard $i/3 ran"
done
n0=$(ndone s0.h5) n1=$(ndone s1.h5) n2=$(ndone s2.h5)
check "the shards split the 21 tasks ($n0 + $n1 + $n2)" test $((n0 + n1 + n2)) -eq 21 -a "$n0" -ge 6 -a "$n1" -ge 6 -a "$n2" -ge 6
# Given in any order: the merge is by task, not by file position.
"$SMAB" merge s2.h5 s0.h5 s1.h5 -o all.h5 >/dev/null 2>&1
check "merge succeeds" test $? -eq 0
check "merged /results equal a single run's" h5diff -q ref.h5 all.h5 /results /results
check "merged /summary equals a single run's" h5diff -q ref.h5 all.h5 /summary /summary
check "the merged file has every task done" test "$(ndone all.h5)" -eq 21
check "the merged file is no longer marked as a shard" \
	bash -c "! h5dump -a shard all.h5 2>/dev/null | grep -q DATA"
"$SMAB" run m.yaml -o all.h5 --resume -q >/dev/null 2>&1
check "the merged file resumes as a finished whole run" test $? -eq 0

out=$("$SMAB" merge s0.h5 s1.h5 -o gap.h5 2>&1)
check "a missing shard is refused (exit 2)" test $? -eq 2
check "the gap is explained" grep -q 'leave a gap: 7 of 21 tasks done in none of them' <<<"$out"
check "no file is left by a refused merge" test ! -e gap.h5
out=$("$SMAB" merge s0.h5 s1.h5 s2.h5 s1.h5 -o over.h5 2>&1)
check "a shard given twice is refused as an overlap" grep -q 'the files overlap' <<<"$out"
"$SMAB" run m.yaml --set seed=9 --shard 2/3 -o seed9.h5 -q >/dev/null 2>&1
out=$("$SMAB" merge s0.h5 s1.h5 seed9.h5 -o x.h5 2>&1)
check "a shard of another seed is refused" grep -q 'different seeds (8 and 9)' <<<"$out"
"$SMAB" run m.yaml --set params.horizon=1400 --shard 2/3 -o h.h5 -q >/dev/null 2>&1
out=$("$SMAB" merge s0.h5 s1.h5 h.h5 -o x.h5 2>&1)
check "a shard of another configuration is refused" grep -q 'different configurations' <<<"$out"
out=$("$SMAB" merge s0.h5 s1.h5 s2.h5 -o all.h5 2>&1)
check "an existing output is not overwritten without --force" grep -q 'already exists' <<<"$out"
# An input under another spelling is still an input: refused, even with
# --force, and the shard is untouched.
sum0=$(cksum <s0.h5)
out=$("$SMAB" merge s0.h5 s1.h5 s2.h5 -o ./s0.h5 --force 2>&1)
check "an output that is an input under another name is refused (exit 2)" test $? -eq 2
check "and the input shard is intact" test "$(cksum <s0.h5)" = "$sum0"
ln -s s2.h5 link.h5
out=$("$SMAB" merge s0.h5 s1.h5 link.h5 -o s2.h5 --force 2>&1)
check "a symlinked input named as the output is refused" grep -q 'is also an input' <<<"$out"
# A failed --force merge leaves the existing output as it was, and no temporary file.
sumall=$(cksum <all.h5)
"$SMAB" merge s0.h5 s1.h5 -o all.h5 --force >/dev/null 2>&1
check "a failed --force merge keeps the old output" test "$(cksum <all.h5)" = "$sumall"
check "and leaves no temporary file" test -z "$(ls | grep merge-)"
out=$("$SMAB" run m.yaml -o s1.h5 --resume 2>&1)
check "a shard file resumes only as its own shard" grep -q 'holds shard 1/3, not all tasks' <<<"$out"
# Without -o, shard I of N writes <output stem>.shard-I-of-N.h5.
mkdir -p d
sed 's|^record: 6|record: 6\noutput: d/m.h5|' m.yaml >mo.yaml
"$SMAB" run mo.yaml --shard 1/2 -q >/dev/null 2>&1
"$SMAB" run mo.yaml --shard 0/2 -q >/dev/null 2>&1
check "default shard files are named after the output" test -s d/m.shard-0-of-2.h5 -a -s d/m.shard-1-of-2.h5
"$SMAB" merge d/m.shard-*-of-2.h5 -o d/m.h5 >/dev/null 2>&1
check "and merge to the single run" same_results ref.h5 d/m.h5
echo done
