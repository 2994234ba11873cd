# 'run --resume --set replications=N' with N above the file's: the file is
# extended, its first replications kept bit for bit (the random streams are
# keyed by replication), and ends equal to a fresh run of N replications.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
Q="$ROOT/experiments/quick.yaml"
small=(-s params.horizon=500 -s record=5)

"$SMAB" run "$Q" -o fresh.h5 -q "${small[@]}" -s replications=5 >/dev/null 2>&1
"$SMAB" run "$Q" -o done.h5 -q "${small[@]}" -s replications=3 >/dev/null 2>&1
cp done.h5 done3.h5
out=$(mpi 2 run "$Q" -o done.h5 --resume "${small[@]}" -s replications=5 2>&1); rc=$?
check "a finished file of 3 replications is extended to 5 on 2 ranks (exit $rc)" \
	eval '[ $rc -eq 0 ] && grep -q "extended from 3 to 5 replications; its 9 done tasks are kept" <<<"$out"'
check "the extended file equals a fresh run of 5 replications" same_results done.h5 fresh.h5
check "every task of the extended file is done and passes its checksum" \
	eval '[ "$(ndone done.h5)" -eq 15 ] && "$SMAB" verify done.h5 >/dev/null'
hist=$("$SMAB" info done.h5 2>&1)
check "the old file's sessions stay in /history, the extension after them" \
	eval 'grep -Eq "^ +1 create .* 0->9 " <<<"$hist" && grep -Eq "^ +2 resume .* 9->15 " <<<"$hist"'

# A run stopped part way, then extended.
SMAB_TEST_TASK_DELAY=0.2 timeout --preserve-status -s TERM 1.5 "$SMAB" run "$Q" -o part.h5 -q "${small[@]}" \
	-s replications=3 >/dev/null 2>&1; rc=$?
n=$(ndone part.h5)
check "a run stopped by a signal leaves a partial file (exit $rc, $n of 9 done)" \
	test $rc -eq 3 -a "$n" -gt 0 -a "$n" -lt 9
"$SMAB" run "$Q" -o part.h5 --resume -q "${small[@]}" -s replications=5 >/dev/null 2>&1; rc=$?
check "the partial file is extended and finished (exit $rc)" test $rc -eq 0
check "the extended partial file equals a fresh run of 5 replications" same_results part.h5 fresh.h5

# Refusals leave the file as it was.
cp done3.h5 keep.h5
out=$("$SMAB" run "$Q" -o keep.h5 --resume -q "${small[@]}" -s replications=2 2>&1); rc=$?
check "fewer replications than the file's: exit 2, one line" \
	eval '[ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "holds 3 replications, more than the 2 asked for" <<<"$out"'
out=$("$SMAB" run "$Q" -o keep.h5 --resume -q -s params.horizon=600 -s record=5 \
	-s replications=5 2>&1); rc=$?
check "more replications of another configuration: refused with exit 2" test $rc -eq 2
check "a refused extension leaves the file unchanged" cmp -s keep.h5 done3.h5
"$SMAB" run "$Q" -o shard.h5 --shard 0/2 -q "${small[@]}" -s replications=3 >/dev/null 2>&1
cp shard.h5 shard3.h5
out=$("$SMAB" run "$Q" -o shard.h5 --shard 0/2 --resume -q "${small[@]}" -s replications=5 2>&1); rc=$?
check "a shard is not extended (the shards would overlap): exit 2, one line, file unchanged" \
	eval '[ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "is a shard" <<<"$out" && cmp -s shard.h5 shard3.h5'
echo done
