# 'smab shapley' under faults: its reader going away (SIGPIPE), kill -9 at
# random moments, a damaged file, a full disk, a read-only file system, a
# file another smab process is writing.  Whatever happens the file keeps
# /results and either its old /coalition tables or the complete new ones.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
T="timeout 120"
# Seconds slept by 'smab shapley' at every step (a test hook), so that a
# kill lands anywhere in it.
DELAY=0.02

# Four games of five agents (31 coalitions each), three mechanisms.
cat >games.yaml <<'YAML'
suite: coalition
seed: 9
replications: 4
mechanisms: [linucb, metc, dev-random]
params: {instance: synthetic, horizon: 200, metc.explore: 40}
record: 2
sweep:
  alpha: [0.25, 0.5, 1, 2]
  coalition: all
YAML
# A shard of one is a whole run that writes no tables.
$T "$SMAB" run games.yaml --shard 0/1 -o bare.h5 -q >run.out 2>&1
check "a coalition run without tables" test $? -eq 0
cp bare.h5 new.h5
$T "$SMAB" shapley new.h5 >/dev/null 2>&1
check "smab shapley writes the tables of the run (the reference)" test $? -eq 0
# The old tables: those of another seed, copied in.
$T "$SMAB" run games.yaml --set seed=10 -o seed10.h5 -q >/dev/null 2>&1
cp bare.h5 old.h5
h5copy -i seed10.h5 -o old.h5 -s /coalition -d /coalition
check "stale tables (another seed's) as the old ones" test $? -eq 0
tables_eq() { h5diff -q "$1" "$2" /coalition /coalition >/dev/null 2>&1; }
results_eq() { h5diff -q "$1" "$2" /results /results >/dev/null 2>&1; }
check "... which differ from the new ones" test "$(tables_eq old.h5 new.h5; echo $?)" -ne 0

# The reader goes away: exit 0, nothing on stderr, the tables complete.
size=$($T "$SMAB" shapley new.h5 --all --no-write | wc -c)
check "the --all output ($size bytes) is more than a pipe holds" test "$size" -gt 65536
cp old.h5 pipe.h5
$T "$SMAB" shapley pipe.h5 --all 2>pipe.err | head -1 >pipe.out
rc=${PIPESTATUS[0]}
check "shapley --all | head -1: exit 0 (got $rc)" test "$rc" -eq 0
check "... nothing on stderr" test ! -s pipe.err
check "... the first line printed" grep -q "^linucb, game 0 of 4" pipe.out
check "... and the tables equal a clean run's" tables_eq pipe.h5 new.h5

# tally FILE OLD NEW WHAT: count FILE's /coalition as the old tables (those
# of OLD), the new ones (NEW's) or neither (reported with WHAT).
tally() {
	if tables_eq "$1" "$2"; then
		nold=$((nold + 1))
	elif tables_eq "$1" "$3"; then
		nnew=$((nnew + 1))
	else
		nbad=$((nbad + 1))
		echo "# $4: /coalition is neither the old nor the new tables"
	fi
}

# kill -9 at random moments of a slowed-down run, spread over its length.
t0=$(date +%s%N)
cp old.h5 slow.h5
SMAB_TEST_COALTAB_DELAY=$DELAY $T "$SMAB" shapley slow.h5 --all >/dev/null 2>&1
t1=$(date +%s%N)
check "a slowed-down run still writes the new tables" tables_eq slow.h5 new.h5
dur=$(( (t1 - t0) / 1000000 ))
nkill=12 nold=0 nnew=0 nbad=0 nres=0
for i in $(seq 1 $nkill); do
	cp old.h5 k.h5
	( SMAB_TEST_COALTAB_DELAY=$DELAY exec "$SMAB" shapley k.h5 --all >/dev/null 2>&1 ) &
	pid=$!
	# Stratified: kill i at a random moment of the i-th twelfth of the run.
	ms=$(( (i - 1) * dur / nkill + RANDOM % (dur / nkill + 1) ))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	tally k.h5 old.h5 new.h5 "kill $i at ${ms} ms of ${dur} ms"
	results_eq k.h5 bare.h5 || nres=$((nres + 1))
done
check "$nkill kills -9 over a ${dur} ms run: tables old ($nold) or new ($nnew), never garbage" \
	test "$nbad" -eq 0
check "... /results intact after every kill" test "$nres" -eq 0
$T "$SMAB" shapley k.h5 >/dev/null 2>&1
check "... and the killed file takes the new tables afterwards" tables_eq k.h5 new.h5

# One game only: a 250 kB file, whose tables fit on a 2 MB tmpfs.
sed 's/alpha: .*/alpha: [1]/' games.yaml >game1.yaml
$T "$SMAB" run game1.yaml --shard 0/1 -o bare1.h5 -q >/dev/null 2>&1
cp bare1.h5 new1.h5
$T "$SMAB" shapley new1.h5 >/dev/null 2>&1
$T "$SMAB" run game1.yaml --set seed=10 -o seed10-1.h5 -q >/dev/null 2>&1
cp bare1.h5 old1.h5
h5copy -i seed10-1.h5 -o old1.h5 -s /coalition -d /coalition
check "one game: old and new tables" test "$(tables_eq old1.h5 new1.h5; echo $?)" -eq 1

# kill -9 just before each of the run's writes in turn (strace's fault
# injection): every boundary between two writes, the swap included.
if command -v strace >/dev/null 2>&1 &&
	strace -o /dev/null -e trace=none true 2>/dev/null; then
	cp old1.h5 w.h5
	# (-f: the command reads and writes in a child process, guard.h)
	strace -f -o w.trace -e trace=pwrite64 "$SMAB" shapley w.h5 >/dev/null 2>&1
	nw=$(grep -c 'pwrite64(' w.trace)
	nold=0 nnew=0 nbad=0
	for n in $(seq 1 "$nw"); do
		cp old1.h5 w.h5
		# (in a subshell, whose stderr takes bash's "Killed" notice)
		( $T strace -f -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=$n \
			"$SMAB" shapley w.h5 >/dev/null 2>&1; : ) 2>/dev/null
		tally w.h5 old1.h5 new1.h5 "killed before write $n of $nw"
	done
	check "killed before each of its $nw writes: tables old ($nold) or new ($nnew), never garbage" \
		test "$nbad" -eq 0 -a "$nold" -gt 0 -a "$nnew" -gt 0
else
	echo "skip - no strace here: kill -9 before each write"
fi

# SIGTERM or SIGHUP while the file is written waits until it is closed.
for sig in TERM HUP; do
	cp old.h5 term.h5
	( SMAB_TEST_COALTAB_DELAY=0.05 exec "$SMAB" shapley term.h5 >term.out 2>&1 ) &
	pid=$!
	# The write section blocks SIGHUP, SIGINT and SIGTERM: mask 0x4003 (in
	# the child that does the work, guard.h; the command passes the signal on).
	for _ in $(seq 1 400); do
		for p in $(pgrep -P "$pid"); do
			grep -q '^SigBlk:.*4003$' "/proc/$p/status" 2>/dev/null && break 2
		done
		sleep 0.01
	done
	kill -$sig "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	want=$((128 + $(kill -l $sig)))
	check "SIG$sig while writing: the command ends by it (status $rc, want $want)" \
		test "$rc" -eq "$want"
	check "... only once the file is complete, with the new tables" tables_eq term.h5 new.h5
	check "... printing nothing" test ! -s term.out
done

# A damaged file: refused as bad input, not written.
addr=$(h5ls -v new.h5/results/metc/regret_a2 2>/dev/null | sed -n 's/.*Location: *[0-9]*:\([0-9]*\).*/\1/p')
cp new.h5 dmg.h5
dd if=/dev/zero of=dmg.h5 bs=1 seek="$addr" count=256 conv=notrunc status=none
cp dmg.h5 dmg.before
$T "$SMAB" shapley dmg.h5 >dmg.out 2>dmg.err
rc=$?
check "a damaged file (the header of /results/metc/regret_a2 zeroed): exit 2 (got $rc)" test "$rc" -eq 2
check "... saying it is damaged" grep -q "damaged" dmg.err
check "... and left byte for byte as it was" cmp -s dmg.h5 dmg.before
head -c 300000 new.h5 >cut.h5
cp cut.h5 cut.before
$T "$SMAB" shapley cut.h5 >cut.out 2>cut.err
rc=$?
check "a truncated file: exit 2 (got $rc)" test "$rc" -eq 2
check "... and left byte for byte as it was" cmp -s cut.h5 cut.before
printf 'not hdf5\n' >text.h5
$T "$SMAB" shapley text.h5 >/dev/null 2>&1
check "not a result file: exit 2" test $? -eq 2
$T "$SMAB" shapley missing.h5 >/dev/null 2>&1
check "no such file: exit 2" test $? -eq 2
cat >one.yaml <<'YAML'
suite: coalition
replications: 2
mechanisms: [linucb]
params: {instance: synthetic, horizon: 50, coalition: {agents: [1, 2]}}
YAML
$T "$SMAB" run one.yaml -o one.h5 -q >/dev/null 2>&1
cp one.h5 one.before
$T "$SMAB" shapley one.h5 >one.out 2>&1
rc=$?
check "a run of one coalition (no game to table): exit 2 (got $rc)" test "$rc" -eq 2
check "... and left byte for byte as it was" cmp -s one.h5 one.before

# The writer's lock.  Held by another process: refused with exit 2, the
# file untouched; --no-write only reads and takes no lock.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# waitfor FILE PATTERN: up to 10 s until FILE holds a line matching PATTERN.
waitfor() {
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
cp old.h5 lock.h5
cp lock.h5 lock.before
# A POSIX record lock on the byte smab locks (2^62) conflicts with smab's
# open-file-description lock there, as another smab process's would.
if "$PY" -c 'import fcntl' 2>/dev/null; then
	$T "$PY" -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 1 << 62, os.SEEK_SET)
print("locked", flush=True)
time.sleep(100)
' lock.h5 >lock.held 2>&1 &
	holder=$!
	check "another process holds the writer's lock" waitfor lock.held locked
	$T "$SMAB" shapley lock.h5 >lock.out 2>lock.err
	rc=$?
	check "smab shapley on a file another process writes: exit 2 (got $rc)" test "$rc" -eq 2
	check "... saying the file is in use" grep -q "in use" lock.err
	check "... and leaving it untouched" cmp -s lock.h5 lock.before
	$T "$SMAB" shapley lock.h5 --no-write >/dev/null 2>&1
	check "... --no-write reads it meanwhile" test $? -eq 0
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
else
	echo "skip - no python3 with fcntl: the lock held by another process"
fi
# Two smab processes: the second meets the first's lock.
( SMAB_TEST_COALTAB_DELAY=0.05 exec $T "$SMAB" shapley lock.h5 >/dev/null 2>&1 ) &
first=$!
ino=$(stat -c %i lock.h5)
for _ in $(seq 1 200); do
	grep -q "OFDLCK.*:$ino " /proc/locks && break
	sleep 0.05
done
check "a slowed-down smab shapley holds the writer's lock" grep -q "OFDLCK.*:$ino " /proc/locks
$T "$SMAB" shapley lock.h5 >lock2.out 2>lock2.err
rc=$?
check "a second smab shapley meanwhile: exit 2 (got $rc)" test "$rc" -eq 2
check "... saying the file is in use" grep -q "in use" lock2.err
wait "$first"
rc=$?
check "the first one finishes (exit $rc)" test "$rc" -eq 0
check "... with the new tables" tables_eq lock.h5 new.h5

# A full disk and a read-only file system on a 2 MB tmpfs (the one-game
# file).
mnt="$TMP/mnt"
mkdir -p "$mnt"
if mount -t tmpfs -o size=2m tmpfs "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
	cp old1.h5 "$mnt/f.h5"
	dd if=/dev/zero of="$mnt/fill" bs=4k >/dev/null 2>&1
	truncate -s -64K "$mnt/fill"
	$T "$SMAB" shapley "$mnt/f.h5" >full.out 2>full.err
	rc=$?
	check "disk full: exit 1 (got $rc)" test "$rc" -eq 1
	check "... with one line on stderr" test "$(wc -l <full.err)" -eq 1
	check "... saying there is not enough space" grep -q "not enough space" full.err
	check "... and the file left as it was" cmp -s "$mnt/f.h5" old1.h5
	# Past the space check (skipped by a test hook) on a disk with no byte
	# left: the write itself fails.
	dd if=/dev/zero of="$mnt/fill2" bs=4k >/dev/null 2>&1
	SMAB_TEST_SKIP_SPACE_CHECK=1 $T "$SMAB" shapley "$mnt/f.h5" >full2.out 2>full2.err
	rc=$?
	check "disk full while writing: exit 1, no crash (got $rc)" test "$rc" -eq 1
	check "... with one line on stderr" test "$(wc -l <full2.err)" -eq 1
	check "... /results intact" results_eq "$mnt/f.h5" bare1.h5
	check "... and the old tables intact" tables_eq "$mnt/f.h5" old1.h5
	rm -f "$mnt/fill" "$mnt/fill2"
	$T "$SMAB" shapley "$mnt/f.h5" >/dev/null 2>&1
	check "with space again: exit 0" test $? -eq 0
	check "... and the new tables" tables_eq "$mnt/f.h5" new1.h5

	cp old1.h5 "$mnt/f.h5"
	mount -o remount,ro "$mnt"
	$T "$SMAB" shapley "$mnt/f.h5" --no-write >ro.out 2>&1
	check "a read-only file system: --no-write works" test $? -eq 0
	$T "$SMAB" shapley "$mnt/f.h5" >ro.out 2>ro.err
	rc=$?
	check "... writing is a runtime failure: exit 1 (got $rc)" test "$rc" -eq 1
	check "... saying why" grep -q "Read-only file system" ro.err
	check "... and the file left as it was" cmp -s "$mnt/f.h5" old1.h5
	umount "$mnt"
else
	echo "skip - cannot mount a tmpfs here (not root?): disk-full and read-only checks"
fi
echo done
