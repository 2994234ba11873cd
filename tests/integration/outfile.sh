# The result file's path and its exclusivity: what may be written (never the
# experiment file, a device, an empty name, a path MPI-IO cannot open, an
# existing file without --force), how a new file appears (complete, under a
# hidden temporary name renamed into place, exactly one of two racing runs
# building it) and the writer's lock (a second --resume, a --force, a merge
# or 'smab shapley' on a file a live run is writing is refused; a killed
# writer leaves no lock).  Also: 'smab submit' puts the experiment file
# after '--' so a file named like an option is not read as one.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >q.yaml <<'YAML'
suite: drift
seed: 5
replications: 6
params: {horizon: 400}
sweep:
  drift: [0, 0.5]
record: 4
YAML
"$SMAB" run q.yaml -o ref.h5 -q >/dev/null 2>&1
check "the reference run succeeds" test $? -eq 0
# Hidden temporary files of output $1 (names only).
temps() { ls -A "$(dirname "$1")" | grep -F ".$(basename "$1").smab-"; }
# Exactly one of two exit statuses $1 $2 is 0 and the other 2.
one_built() { [ "$(printf '%s\n' "$1" "$2" | sort | tr '\n' ' ')" = "0 2 " ]; }

# ---- paths that are refused, and what is left of them -------------------
cp q.yaml q.keep
out=$("$SMAB" run q.yaml -o q.yaml --force 2>&1); rc=$?
check "-o q.yaml --force (the experiment file itself) exits 2 (got $rc), q.yaml untouched" \
	eval '[ $rc -eq 2 ] && grep -q "is the experiment file itself" <<<"$out" && cmp -s q.yaml q.keep'
ln -s q.yaml alias.yaml
"$SMAB" run q.yaml -o alias.yaml --force >/dev/null 2>&1; rc=$?
check "the experiment file under another name (a link) is refused too (got $rc)" \
	eval '[ $rc -eq 2 ] && cmp -s q.yaml q.keep'
out=$("$SMAB" run q.yaml -o /dev/null --force 2>&1); rc=$?
check "-o /dev/null --force exits 2 (got $rc), /dev/null still a device" \
	eval '[ $rc -eq 2 ] && [ -c /dev/null ] && grep -q "not a regular file" <<<"$out"'
out=$("$SMAB" run q.yaml -o '' 2>&1); rc=$?
check "-o '' exits 2 (got $rc) with a reason" \
	eval '[ $rc -eq 2 ] && grep -q "name is empty" <<<"$out"'
mkdir adir
"$SMAB" run q.yaml -o adir --force >/dev/null 2>&1; rc=$?
check "-o DIRECTORY --force exits 2 (got $rc), the directory stays empty" \
	eval '[ $rc -eq 2 ] && [ -d adir ] && [ -z "$(ls -A adir)" ]'
cp ref.h5 exist.h5
"$SMAB" run q.yaml -o exist.h5 >/dev/null 2>&1; rc=$?
check "an existing output without --force exits 2 (got $rc), byte-identical" \
	eval '[ $rc -eq 2 ] && cmp -s exist.h5 ref.h5'

# ---- the 240-byte limit of the absolute path ----------------------------
# name_of N: a file name that makes its absolute path in $TMP N bytes long.
name_of() { printf 'p%.0s' $(seq $(($1 - ${#TMP} - 1 - 3))); printf '.h5'; }
long=$(name_of 241)
out=$("$SMAB" run q.yaml -o "$long" -q 2>&1); rc=$?
check "an absolute path of 241 bytes exits 2 (got $rc) with a message naming the limit" \
	eval '[ $rc -eq 2 ] && grep -q "at most 240" <<<"$out"'
check "... and leaves nothing behind" eval '[ -z "$(ls -A | grep "^\.\?ppp")" ]'
max=$(name_of 240)
mpi 2 run q.yaml -o "$max" -q >/dev/null 2>&1; rc=$?
check "a path of exactly 240 bytes works on 2 ranks, through MPI-IO (got $rc)" \
	eval '[ $rc -eq 0 ] && same_results ref.h5 "$max"'
rm -f "$max"
# The hidden temporary name adds the host and pid to the base name; with a
# host name of 32 characters (the most it keeps) it must still be a legal
# file name for any output the path check accepts.
if unshare -u true 2>/dev/null; then
	unshare -u bash -c 'hostname abcdefghijklmnopqrstuvwxyz012345 && "$0" run q.yaml -o "$1" -q' \
		"$SMAB" "$max" >host32.log 2>&1; rc=$?
	check "a 240-byte path on a host named with 32 characters works too (got $rc$(grep -v hdf5_sec host32.log | head -c 160 | sed 's/^/: /'))" \
		eval '[ $rc -eq 0 ] && same_results ref.h5 "$max" && [ -z "$(ls -A | grep "^\.ppp")" ]'
	rm -f "$max"
else
	echo "skip - a host name of 32 characters: cannot make a UTS namespace here (unshare -u)"
fi

# ---- how a new file appears ---------------------------------------------
"$SMAB" run q.yaml -o sub/dir/new.h5 -q >/dev/null 2>&1; rc=$?
check "a new output in missing directories is built (got $rc)" test $rc -eq 0
check "... complete (smab verify) and with no temporary file left" \
	eval '"$SMAB" verify sub/dir/new.h5 >/dev/null && [ -z "$(temps sub/dir/new.h5)" ]'
# Temporary files of a build killed with SIGKILL (its pid gone) on this
# host are removed by the next build of the same output; those of another
# host or of a live process are not.
host=$(hostname | cut -d. -f1 | tr -c 'A-Za-z0-9_\n-' '_' | cut -c1-32)
sleep 0 & dead=$!; wait $dead
sleep 60 & alive=$!
touch ".st.h5.smab-$host-$dead-0.tmp" ".st.h5.smab-otherhost-$dead-0.tmp" \
	".st.h5.smab-$host-$alive-0.tmp"
"$SMAB" run q.yaml -o st.h5 -q >/dev/null 2>&1
check "a dead build's temporary file on this host is removed by the next build" \
	test ! -e ".st.h5.smab-$host-$dead-0.tmp"
check "... another host's and a live process's are kept" \
	test -e ".st.h5.smab-otherhost-$dead-0.tmp" -a -e ".st.h5.smab-$host-$alive-0.tmp"
kill $alive; wait $alive 2>/dev/null

# ---- two runs at once on one new path -----------------------------------
# SMAB_TEST_TASK_DELAY (a test hook: seconds slept after each task) makes
# the two runs overlap whatever the machine's speed.  race OPT N NAME: N
# trials (two at a time) of two runs with option OPT on NAME<i>.h5; prints
# the failed ones.
race() {
	local i j pids bad=""
	for ((i = 1; i <= $2; i += 2)); do
		pids=()
		for ((j = i; j <= $2 && j < i + 2; j++)); do
			for k in a b; do
				SMAB_TEST_TASK_DELAY=0.02 "$SMAB" run q.yaml -o "$3$j.h5" $1 -q \
					>/dev/null 2>&1 &
				pids+=($!)
			done
		done
		for ((j = i; j <= $2 && j < i + 2; j++)); do
			wait "${pids[0]}"; ra=$?; wait "${pids[1]}"; rb=$?
			pids=("${pids[@]:2}")
			if ! one_built $ra $rb || ! "$SMAB" verify "$3$j.h5" >/dev/null 2>&1 \
				|| ! same_results ref.h5 "$3$j.h5" || [ -n "$(temps "$3$j.h5")" ]; then
				bad+=" trial $j: exits $ra $rb$(temps "$3$j.h5" | sed 's/^/, left /');"
			fi
		done
	done
	echo "$bad"
}
bad=$(race "" 11 race)
check "11 pairs of runs started at once on one new path: exactly one builds it, the other exits 2, the file is whole${bad:+ --$bad}" test -z "$bad"
# With --force on both: nothing to replace when they start, but when the
# second one's file is ready the first one's is published and being written.
bad=$(race --force 6 frace)
check "6 pairs of --force runs at once on one new path: one builds it, the other exits 2 (never replaces the live one's file)${bad:+ --$bad}" test -z "$bad"

# ---- the writer's lock ----------------------------------------------------
# Start a slow run of $2 (default q.yaml) writing $1, pid in $live, and wait
# until its file is there.
start_live() {
	SMAB_TEST_TASK_DELAY=${3:-0.6} "$SMAB" run "${2:-q.yaml}" -o "$1" -q >live.log 2>&1 &
	live=$!
	for _ in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.05; done
	return 1
}
"$SMAB" run q.yaml --shard 0/2 -o sh0.h5 -q >/dev/null 2>&1
"$SMAB" run q.yaml --shard 1/2 -o sh1.h5 -q >/dev/null 2>&1
start_live live.h5
ino=$(stat -c %i live.h5)
out=$("$SMAB" run q.yaml -o live.h5 --resume -q 2>&1); rc=$?
check "--resume of a file another run is writing exits 2 (got $rc), saying it is in use" \
	eval '[ $rc -eq 2 ] && grep -q "in use" <<<"$out"'
out=$("$SMAB" run q.yaml -o live.h5 --force -q 2>&1); rc=$?
check "--force on a file another run is writing exits 2 (got $rc), saying it is in use" \
	eval '[ $rc -eq 2 ] && grep -q "in use" <<<"$out"'
out=$("$SMAB" merge sh0.h5 sh1.h5 -o live.h5 --force 2>&1); rc=$?
check "merge --force onto a file a run is writing exits 2 (got $rc), saying it is in use" \
	eval '[ $rc -eq 2 ] && grep -q "in use" <<<"$out"'
check "the run was still writing meanwhile, and its file is the same inode" \
	eval 'kill -0 $live && [ "$(stat -c %i live.h5)" = "$ino" ]'
wait $live; rc=$?
check "the live run ends well (got $rc) with the reference's datasets" \
	eval '[ $rc -eq 0 ] && same_results ref.h5 live.h5'
# A writer killed with SIGKILL leaves no lock behind.
start_live killed.h5
kill -9 $live; wait $live 2>/dev/null
"$SMAB" run q.yaml -o killed.h5 --resume -q >/dev/null 2>&1; rc=$?
check "--resume after the writer was killed with SIGKILL is not refused (got $rc)" \
	eval '[ $rc -eq 0 ] && same_results ref.h5 killed.h5'
# Two resumes at once of one unfinished file: one finishes it, the other
# is refused; the result is whole.  (Point 1 undone, as a crash leaves it.)
cp ref.h5 unfinished.h5
/usr/bin/python3 - unfinished.h5 <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], 'r+') as f:
    f['tasks/done'][1, :] = 0
PY
check "an unfinished file has 6 of 12 tasks done" test "$(ndone unfinished.h5)" -eq 6
bad=""
for i in 1 2 3; do
	cp unfinished.h5 two$i.h5
	SMAB_TEST_TASK_DELAY=0.05 "$SMAB" run q.yaml -o two$i.h5 --resume -q >/dev/null 2>&1 &
	a=$!
	SMAB_TEST_TASK_DELAY=0.05 "$SMAB" run q.yaml -o two$i.h5 --resume -q >/dev/null 2>&1 &
	b=$!
	wait $a; ra=$?; wait $b; rb=$?
	one_built $ra $rb && same_results ref.h5 two$i.h5 || bad+=" trial $i: exits $ra $rb;"
done
check "3 pairs of --resume at once on one unfinished file: one finishes it, the other exits 2${bad:+ --$bad}" test -z "$bad"
# 'smab shapley' writes /coalition into the file: not into one a run writes.
cat >c.yaml <<'YAML'
suite: coalition
seed: 3
replications: 2
mechanisms: [linucb]
params: {instance: synthetic, horizon: 150}
sweep:
  coalition: all
record: 3
YAML
"$SMAB" run c.yaml -o cref.h5 -q >/dev/null 2>&1
start_live clive.h5 c.yaml 0.03
out=$("$SMAB" shapley clive.h5 2>&1); rc=$?
check "smab shapley on a file a run is writing exits 2 (got $rc), saying it is in use" \
	eval '[ $rc -eq 2 ] && grep -q "in use" <<<"$out"'
wait $live; rc=$?
check "... and the run ends well (got $rc$(grep -v hdf5_sec live.log | head -c 160 | sed 's/^/: /'))" \
	test $rc -eq 0
check "... with the reference's datasets and coalition tables" \
	eval 'same_results cref.h5 clive.h5 && h5diff -q cref.h5 clive.h5 /coalition /coalition'

# ---- smab submit: the experiment file after '--' --------------------------
# A file named like an option must reach 'smab run' as the file: the job's
# line, parsed by bash and getopt for real (SMAB_LAUNCH=env runs smab
# itself), must run it rather than take '-o hijack.h5.yaml'.
cp q.yaml ./-ohijack.h5.yaml
"$SMAB" submit --dry-run -- -ohijack.h5.yaml >job.sh 2>job.err; rc=$?
check "smab submit --dry-run -- -ohijack.h5.yaml prints a job (got $rc)" test $rc -eq 0
line=$(grep '^\${SMAB_LAUNCH' job.sh)
check "its run line has the file after '--': $line" \
	eval 'grep -qE " -- '\''-ohijack\.h5\.yaml'\''\$" <<<"$line"'
SMAB_LAUNCH=env bash job.sh >job.out 2>&1; rc=$?
check "bash runs that line: smab runs the file -ohijack.h5.yaml (got $rc)" \
	eval '[ $rc -eq 0 ] && "$SMAB" verify "results/-ohijack.h5.h5" >/dev/null'
check "... and wrote no output named hijack.h5.yaml" test ! -e hijack.h5.yaml
echo done
