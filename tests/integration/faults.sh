# Fault injection: a full disk (a 2 MB tmpfs) while a run builds its file,
# while a coalition run writes its tables, and under 'merge --force'; kill
# -9 and SIGTERM at random moments of a run; and damaged or crafted files
# given to every reader.  Whatever happens: no crash (exit >= 128), no hang,
# no visible partial file, and a visible file is resumable to the datasets
# of an uninterrupted run.  Random choices come from fixed seeds, printed in
# every 'not ok' line, so a failure reproduces.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
PY=/usr/bin/python3
# Hidden temporary files of output $1 (names only).
temps() { ls -A "$(dirname "$1")" | grep -F ".$(basename "$1").smab-"; }
# The first line of $1 that is not the timing report, cut short.
why() { grep -v hdf5_seconds "$1" 2>/dev/null | head -1 | cut -c1-150; }

# ---- a full disk ----------------------------------------------------------
cat >mid.yaml <<'YAML'
suite: drift
seed: 5
replications: 60
params: {horizon: 300}
sweep:
  drift: [0, 0.5, 0.7]
record: 50
YAML
cat >coal.yaml <<'YAML'
suite: coalition
seed: 9
replications: 4
mechanisms: [linucb, metc]
params: {instance: synthetic, horizon: 200, metc.explore: 60}
sweep:
  coalition: all
record: 4
YAML
"$SMAB" run mid.yaml -o mid.h5 -q >/dev/null 2>&1
"$SMAB" run coal.yaml -o coal.h5 -q >/dev/null 2>&1
check "the reference runs succeed" eval '[ -s mid.h5 ] && [ -s coal.h5 ]'
full=$TMP/full
mkdir "$full"
if mount -t tmpfs -o size=2m tmpfs "$full" 2>mount.err; then
	trap 'umount "$full" 2>/dev/null || umount -l "$full"; rm -rf "$TMP"' EXIT
	# fill_to BYTES: leave about BYTES free on the tmpfs; empty_full: empty it.
	empty_full() { rm -rf "$full"/* "$full"/.[!.]*; }
	fill_to() {
		rm -f "$full/fill"
		local free=$(($(stat -f -c '%a*%S' "$full")))
		[ "$free" -gt "$1" ] && head -c $((free - $1)) /dev/zero >"$full/fill"
		return 0
	}
	# The free-space check refuses a run whose file cannot fit: one line.
	sed 's/replications: 60/replications: 200/' mid.yaml >big.yaml
	"$SMAB" run big.yaml -o "$full/big.h5" -q >big.out 2>big.err; rc=$?
	check "a run whose file cannot fit exits 1 (got $rc) with one line 'not enough space ...'" \
		eval '[ $rc -eq 1 ] && [ "$(wc -l <big.err)" -eq 1 ] && grep -q "^smab: not enough space" big.err'
	check "... and leaves nothing on the disk" test -z "$(ls -A "$full")"
	# Past the check (SMAB_TEST_SKIP_SPACE_CHECK=1, a test hook), HDF5
	# itself meets the full disk: at creation, in the layout, at the close.
	size=$(stat -c %s mid.h5)
	bad="" inside=0 fitted=0
	for pct in 3 30 60 85 90 93 96 140; do
		empty_full
		fill_to $((size * pct / 100))
		SMAB_TEST_SKIP_SPACE_CHECK=1 timeout 60 "$SMAB" run mid.yaml -o "$full/o.h5" -q \
			>o.out 2>o.err; rc=$?
		left=$(ls -A "$full" | grep -v '^fill$' | tr '\n' ' ')
		if [ $rc -eq 1 ]; then
			[ -z "$left" ] || bad+=" ${pct}%: exit 1 but left $left;"
			grep -q 'not enough space' o.err || inside=$((inside + 1))
		elif [ $rc -eq 0 ]; then
			same_results mid.h5 "$full/o.h5" || bad+=" ${pct}%: exit 0 with other datasets;"
			fitted=$((fitted + 1))
		else
			bad+=" ${pct}%: exit $rc ($(why o.err));"
		fi
	done
	check "a build on a disk left with 3..140% of the file's size free exits 1 (no file left) or 0 (a whole file)${bad:+ --$bad}" test -z "$bad"
	check "... $inside of those builds failed inside HDF5 and $fitted fitted" \
		test "$inside" -ge 3 -a "$fitted" -ge 1
	empty_full
	fill_to $((size * 90 / 100))
	SMAB_TEST_SKIP_SPACE_CHECK=1 timeout 60 mpirun --oversubscribe -x SMAB_TEST_SKIP_SPACE_CHECK \
		-np 2 "$SMAB" run mid.yaml -o "$full/o.h5" -q >o.out 2>o.err; rc=$?
	check "the same on 2 ranks exits 1 (got $rc: $(why o.err)) and leaves no file" \
		eval '[ $rc -eq 1 ] && [ -z "$(ls -A "$full" | grep -v "^fill$")" ]'
	# A coalition sweep writes its tables into the published file after the
	# last task: the disk may be full by then.  The file must stay resumable.
	"$SMAB" run coal.yaml --shard 0/1 -o coal0.h5 -q >/dev/null 2>&1
	s0=$(stat -c %s coal0.h5) s1=$(stat -c %s coal.h5)
	bad="" tables=0
	for free in $(((s0 + s1) / 2)) $((s1 - 6000)); do
		empty_full
		fill_to "$free"
		SMAB_TEST_SKIP_SPACE_CHECK=1 timeout 60 "$SMAB" run coal.yaml -o "$full/c.h5" -q \
			>c.out 2>c.err; rc=$?
		[ $rc -le 1 ] || bad+=" $free bytes free: exit $rc;"
		if [ -e "$full/c.h5" ]; then
			[ $rc -eq 1 ] && tables=$((tables + 1))
			rm -f "$full/fill"
			timeout 60 "$SMAB" run coal.yaml -o "$full/c.h5" --resume -q >r.out 2>r.err; rr=$?
			if [ $rr -ne 0 ] || ! same_results coal.h5 "$full/c.h5" \
				|| ! h5diff -q coal.h5 "$full/c.h5" /coalition /coalition >/dev/null 2>&1; then
				bad+=" $free bytes free: the run exited $rc ($(why c.err)), then --resume $rr ($(why r.err));"
			fi
		fi
	done
	[ $tables -gt 0 ] || bad+=" no run failed at its tables (with $(((s0 + s1) / 2)) and $((s1 - 6000)) bytes free);"
	check "a coalition run whose tables meet a full disk leaves a resumable file${bad:+ --$bad}" \
		test -z "$bad"
	# merge --force on a nearly full disk keeps the existing ALL.h5 (a third of
	# the replications: the first merge needs room for a copy and 1 MB).
	sed 's/replications: 60/replications: 20/' mid.yaml >third.yaml
	"$SMAB" run third.yaml --shard 0/2 -o m0.h5 -q >/dev/null 2>&1
	"$SMAB" run third.yaml --shard 1/2 -o m1.h5 -q >/dev/null 2>&1
	empty_full
	"$SMAB" merge m0.h5 m1.h5 -o "$full/ALL.h5" >/dev/null 2>&1
	cp "$full/ALL.h5" all.keep
	fill_to $((size / 2))
	timeout 60 "$SMAB" merge m0.h5 m1.h5 -o "$full/ALL.h5" --force >mg.out 2>mg.err; rc=$?
	check "merge --force on a nearly full disk exits 1 (got $rc: $(why mg.err))" test $rc -eq 1
	check "... and leaves ALL.h5 byte-identical, with no temporary file" \
		eval 'cmp -s "$full/ALL.h5" all.keep && [ -z "$(temps "$full/ALL.h5")" ]'
else
	echo "skip - a full disk: cannot mount a tmpfs here ($(head -c 100 mount.err))"
fi
# Past merge's own space check, a write limit (RLIMIT_FSIZE, SIGXFSZ
# ignored: writes fail with EFBIG) lets the copy of the first shard through
# and stops the merged file's coalition tables inside HDF5.
"$SMAB" run coal.yaml --shard 0/2 -o cs0.h5 -q >/dev/null 2>&1
"$SMAB" run coal.yaml --shard 1/2 -o cs1.h5 -q >/dev/null 2>&1
"$SMAB" merge cs0.h5 cs1.h5 -o CALL.h5 >/dev/null 2>&1
cp CALL.h5 call.keep
limit=$((($(stat -c %s cs0.h5) + $(stat -c %s CALL.h5)) / 2 / 1024))
(trap '' XFSZ; ulimit -f $limit; exec timeout 60 "$SMAB" merge cs0.h5 cs1.h5 -o CALL.h5 --force) \
	>mf.out 2>mf.err; rc=$?
check "merge --force failing inside HDF5 at its coalition tables (a ${limit} kB write limit) exits 1 (got $rc: $(why mf.err))" \
	eval '[ $rc -eq 1 ] && grep -q "coalition tables" mf.err'
check "... and leaves CALL.h5 byte-identical, with no temporary file" \
	eval 'cmp -s CALL.h5 call.keep && [ -z "$(temps CALL.h5)" ]'
# smab shapley on a full disk: tests/integration/shapley_faults.sh.

# ---- kill -9 and SIGTERM at random moments ---------------------------------
cat >k.yaml <<'YAML'
suite: drift
seed: 13
replications: 8
params: {horizon: 2000}
sweep:
  drift: [0, 0.9]
record: 5
YAML
delay=0.04
t0=$(date +%s%N)
SMAB_TEST_TASK_DELAY=$delay "$SMAB" run k.yaml -o kref.h5 -q >/dev/null 2>&1
span=$((($(date +%s%N) - t0) / 1000000))
check "the reference run succeeds (${span} ms with a ${delay} s task delay)" \
	eval '"$SMAB" verify kref.h5 >/dev/null'
# The moment of trial I (ms, drawn from SEED + I): trials 0-10 in the first
# 100 ms, 11-17 in [100, span), 18 and up 'build+N': N ms after the
# temporary file appears, while the file is being built or just published.
ms_of() {
	RANDOM=$(($1 + $2))
	if [ "$2" -ge 18 ]; then echo "build+$((RANDOM % 8))"
	elif [ "$2" -lt 11 ]; then echo $((RANDOM % 100))
	else echo $((100 + RANDOM % (span > 101 ? span - 100 : 1))); fi
}
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
# Start a run of k.yaml into $1 (pid in $pid) and wait until moment $2:
# N ms after the start, or 'build+N': N ms after a file of it appears, the
# temporary one or the output (a busy wait on shell builtins, to catch the
# few ms of the build).
start_until() {
	SMAB_TEST_TASK_DELAY=$delay "$SMAB" run k.yaml -o "$1" -q >"$1.log" 2>&1 &
	pid=$!
	case $2 in
	build+*)
		until compgen -G ".$1.smab-*" >/dev/null || [ -e "$1" ]; do
			kill -0 $pid 2>/dev/null || break
		done
		sleep "$(secs ${2#build+})" ;;
	*) sleep "$(secs $2)" ;;
	esac
}
# The output of a killed trial: what is there, and a resume; a line if wrong.
after_kill() {
	local f=kill$1.h5 state=none
	[ -n "$(temps $f)" ] && state=hidden
	if [ -e $f ]; then
		state=visible
		"$SMAB" verify $f >/dev/null 2>&1 || { echo "a visible $f that smab verify refuses"; return; }
	fi
	echo "$state" >kill$1.state
	[ $state = none ] && return
	timeout 60 "$SMAB" run k.yaml -o $f --resume -q >kill$1.res 2>&1 \
		|| { echo "left $state, then --resume exited $? ($(why kill$1.res))"; return; }
	same_results kref.h5 $f || { echo "left $state, resumed to other datasets"; return; }
	[ -z "$(temps $f)" ] || echo "left $state; the resume left $(temps $f)"
}
kill_trial() {
	local at msg
	at=$(ms_of $seed $1)
	start_until kill$1.h5 $at
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	msg=$(after_kill $1)
	[ -z "$msg" ] || echo "trial $1 (seed $seed, killed at $at ms): $msg"
}
# SIGTERM (SIGINT in trials 4 and 15): exit 3 (or 0 if it came after the
# last task), never 143 or 130, no temporary file left; a visible file
# resumes.  The moment is counted from when the process can catch the
# signal (SIGTERM's bit of SigCgt in /proc/PID/status): before main() runs
# (the loader and the libraries' constructors, some 30 ms) the kernel's
# default action ends it with 143, which no code of smab can change.
caught() { local m; m=$(awk '/^SigCgt/ {print $2}' /proc/$1/status 2>/dev/null) \
	&& [ $((0x$m & 0x4000)) -ne 0 ]; }
term_trial() {
	local at rc f=term$1.h5 sig=TERM
	case $1 in 4 | 15) sig=INT ;; esac
	at=$(ms_of $seed $1)
	case $at in
	build+*) start_until $f $at ;;
	*)
		start_until $f 0
		for _ in $(seq 1000); do caught $pid && break; kill -0 $pid 2>/dev/null || break; sleep 0.002; done
		sleep "$(secs $at)" ;;
	esac
	kill -$sig $pid 2>/dev/null
	wait $pid; rc=$?
	local t="trial $1 (seed $seed, SIG$sig at $at ms)"
	case $rc in 0 | 3) ;; *) echo "$t: exit $rc ($(why $f.log))"; return ;; esac
	[ -z "$(temps $f)" ] || { echo "$t: exit $rc, left $(temps $f)"; return; }
	[ -e $f ] || return 0
	timeout 60 "$SMAB" run k.yaml -o $f --resume -q >$f.res 2>&1 && same_results kref.h5 $f \
		|| echo "$t: exit $rc, then the resume failed ($(why $f.res))"
}
# trials FN N1 N2...: run FN on each trial number, two at a time.
trials() {
	local fn=$1 out=""
	shift
	while [ $# -gt 0 ]; do
		$fn $1 >t$1.msg &
		local a=$!
		[ $# -gt 1 ] && { $fn $2 >t$2.msg & local b=$!; wait $b; out+=$(cat t$2.msg); }
		wait $a
		out+=$(cat t$1.msg)
		shift $(($# > 1 ? 2 : 1))
	done
	echo "$out"
}
seed=4201
bad=$(trials kill_trial $(seq 0 21))
states=$(cat kill*.state 2>/dev/null | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')
check "kill -9 at 22 moments (11 in the first 100 ms, 7 later, 4 at the build): never a visible partial file, each one resumable to the uninterrupted run's datasets (left: ${states%, })${bad:+ -- $bad}" \
	test -z "$bad"
seed=4301
bad=$(trials term_trial 0 1 2 3 4 11 12 13 14 15 18 19)
check "SIGTERM or SIGINT at 12 moments (5 in the first 100 ms of setup, 5 later, 2 at the build): exit 3 or 0, never 143 or 130, no temporary file; a visible file resumes to the uninterrupted run's datasets${bad:+ -- $bad}" \
	test -z "$bad"

# ---- damaged and crafted files for every reader ----------------------------
cat >corrupt.py <<'PY'
# corrupt.py CLEAN DIR SEED: write damaged copies of CLEAN into DIR and a
# manifest: name, class, what was done, 'done' if /tasks/done was touched.
import os, random, re, shutil, struct, sys
import h5py, numpy as np
clean, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
data = open(clean, 'rb').read()
size = len(data)
man = open(os.path.join(out, 'manifest'), 'w')
with h5py.File(clean, 'r') as f:
    d = f['tasks/done']
    done = (d.id.get_offset(), d.id.get_offset() + d.id.get_storage_size())
    where = {}
    for p in ('points', 'tasks/done', 'tasks/checksum', 'tasks/seconds',
              'results/checkpoints', 'results/linucb/regret', 'results/linucb/regret_a2',
              'results/metc/regret_curve', 'summary/metc/regret', 'history',
              'coalition/linucb/shapley'):
        where[p] = (f[p].id.get_offset(), f[p].id.get_storage_size(), f[p].dtype)

def put(name, cls, desc, b, lo=None, hi=None):
    with open(os.path.join(out, name), 'wb') as g:
        g.write(b)
    touched = lo is not None and lo < done[1] and hi > done[0]
    man.write('%s\t%s\t%s\t%s\n' % (name, cls, desc, 'done' if touched else '-'))

def flips(lo, hi, n):
    b, at = bytearray(data), []
    for _ in range(n):
        o, bit = rng.randrange(lo, hi), rng.randrange(8)
        b[o] ^= 1 << bit
        at.append((o, bit))
    return b, at

for i in range(6):
    off = rng.randrange(0, size - 256)
    b = bytearray(data)
    b[off:off + 256] = bytes(256)
    put('zero%d.h5' % i, 'zero', '256 bytes zeroed at offset %d' % off, b, off, off + 256)
for cls, lo, n in (('head', 0, 6), ('flip', 4096, 4)):
    for i in range(n):
        b, at = flips(lo, 4096 if lo == 0 else size, rng.randint(1, 6))
        hit = [o for o, _ in at if done[0] <= o < done[1]]
        put('%s%d.h5' % (cls, i), cls, 'bits flipped at %s' %
            ','.join('%d:%d' % a for a in at), b, *( (hit[0], hit[0] + 1) if hit else (None, None)))
# One bit in the data of each kind of dataset (a done flag: 1 -> 3).
for p, (off, n, dt) in where.items():
    k = rng.randrange(n // dt.itemsize)
    byte, bit = (0, 1) if p == 'tasks/done' else (rng.randrange(dt.itemsize), rng.randrange(8))
    if p == 'history':   # a character of the first session's commit
        byte, bit = dt.fields['git_commit'][1] + 2, 0
        k = 0
    if p == 'points':    # the coalition column's exponent
        byte, bit = dt.fields['coalition'][1] + 6, 4
    b = bytearray(data)
    at = off + k * dt.itemsize + byte
    b[at] ^= 1 << bit
    put('data-%s.h5' % p.replace('/', '-'), 'data', 'one bit of /%s (offset %d bit %d)' %
        (p, at, bit), b, at, at + 1)
for n in (size - 1, size // 2, 4096):
    put('trunc%d.h5' % n, 'trunc', 'truncated to %d of %d bytes' % (n, size), data[:n])

def craft(name, desc, fn):
    p = os.path.join(out, name)
    shutil.copyfile(clean, p)
    with h5py.File(p, 'r+') as f:
        fn(f)
    man.write('%s\tcraft\t%s\t-\n' % (name, desc))

def redo(f, path, shape, dtype, **kw):
    del f[path]
    f.create_dataset(path, shape=shape, dtype=dtype, **kw)

def link(f, path, target):
    del f[path]
    f[path] = target

craft('c-npoints.h5', 'attribute npoints = 10^12', lambda f: f.attrs.modify('npoints', np.int64(10**12)))
craft('c-reps.h5', 'attribute replications = -1', lambda f: f.attrs.modify('replications', np.int64(-1)))
craft('c-mechs.h5', "attribute mechanisms = '../tasks'", lambda f: f.attrs.modify('mechanisms', np.bytes_(b'../tasks')))
craft('c-manymechs.h5', 'attribute mechanisms naming 5000', lambda f: f.attrs.modify('mechanisms', np.bytes_(b','.join([b'linucb'] * 5000))))
craft('c-metrics.h5', "attribute metrics = ''", lambda f: f.attrs.modify('metrics', np.bytes_(b'')))
craft('c-format.h5', 'attribute format = 99', lambda f: f.attrs.modify('format', np.int64(99)))
craft('c-agents.h5', 'attribute agents naming 40', lambda f: f.attrs.modify('agents', np.bytes_(b','.join(b'a%d' % i for i in range(40)))))
craft('c-donehuge.h5', '/tasks/done declared 10^6 x 10^6 (chunked, never written)', lambda f: redo(f, 'tasks/done', (10**6, 10**6), 'u1', chunks=(1, 1024)))
craft('c-donetype.h5', '/tasks/done as float64', lambda f: redo(f, 'tasks/done', (31, 4), 'f8'))
craft('c-chunked.h5', '/results/linucb/regret chunked', lambda f: redo(f, 'results/linucb/regret', (31, 4), 'f8', chunks=(1, 4)))
craft('c-curvehuge.h5', '/results/metc/regret_curve declared 31 x 4 x 10^9', lambda f: redo(f, 'results/metc/regret_curve', (31, 4, 10**9), 'f8', chunks=(1, 1, 1024)))
craft('c-checkhuge.h5', '/results/checkpoints declared 31 x 10^9', lambda f: redo(f, 'results/checkpoints', (31, 10**9), 'i8', chunks=(1, 1024)))
craft('c-crc.h5', '/tasks/checksum as uint64', lambda f: redo(f, 'tasks/checksum', (31, 4), 'u8'))
craft('c-history.h5', '/history one int64', lambda f: redo(f, 'history', (1,), 'i8'))
craft('c-extlink.h5', '/results/metc/regret an external link to /etc/passwd', lambda f: link(f, 'results/metc/regret', h5py.ExternalLink('/etc/passwd', '/x')))
craft('c-loop.h5', '/results/metc/regret a soft link to itself', lambda f: link(f, 'results/metc/regret', h5py.SoftLink('/results/metc/regret')))
# A root attribute message whose dataspace claims 65535 bytes: HDF5 decodes
# it past the end of its buffer.
m = re.search(rb'\x01\x00\x07\x00..(..)format\x00', data, re.S)
if m:
    b = bytearray(data)
    b[m.start(1):m.end(1)] = b'\xff\xff'
    put('c-attrspace.h5', 'craft', "the 'format' attribute message declaring a 65535-byte dataspace (offset %d)" % m.start(1), b)
else:
    print('no version-1 attribute message for format found')
man.close()
PY
seed=20261201
mkdir fz
msg=$($PY corrupt.py coal.h5 fz $seed 2>&1)
check "corrupt.py made the damaged files (seed $seed)${msg:+: $msg}" \
	eval '[ -z "$msg" ] && [ "$(wc -l <fz/manifest)" -ge 45 ]'
"$SMAB" summary coal.h5 >clean.sum 2>&1
"$SMAB" shapley coal.h5 --no-write >clean.shap 2>&1
readers="summary verify shapley merge"
# pool N FN: run FN on each line of stdin (its words as arguments), N at a
# time.
pool() {
	local n=$1 fn=$2 running=0 line
	while read -r line; do
		[ $running -lt $n ] || { wait -n; running=$((running - 1)); }
		$fn $line </dev/null 2>/dev/null &
		running=$((running + 1))
	done
	wait
}
# read_one FILE READER: run the reader on its own copy of FILE, status in
# .rc; a merged file's verdict in .mv.
read_one() {
	local c=$1.$2
	cp "$1" "$c"
	case $2 in
	summary) timeout 20 "$SMAB" summary "$c" ;;
	verify) timeout 20 "$SMAB" verify "$c" ;;
	shapley) timeout 20 "$SMAB" shapley "$c" --no-write ;;
	merge) timeout 20 "$SMAB" merge "$c" -o "$c.merged" ;;
	esac >"$c.out" 2>"$c.err"
	echo $? >"$c.rc"
	[ ! -e "$c.merged" ] || { "$SMAB" verify "$c.merged" >/dev/null 2>&1; echo $? >"$c.mv"; }
}
# judge FILE READER FLAGS: what is wrong with the reader's run, or nothing.
judge() {
	local c=$1.$2 rc
	rc=$(cat "$c.rc")
	if [ "$rc" -ge 3 ]; then
		[ "$rc" -eq 124 ] && echo "hung" || echo "exit $rc ($(grep -m1 -i 'signal\|smab:' "$c.err" | cut -c1-90))"
		return
	fi
	cmp -s "$1" "$c" || { echo "changed the file (exit $rc)"; return; }
	case $2/$rc in
	summary/0) [ "$3" = done ] || cmp -s "$c.out" clean.sum \
		|| echo "exit 0 with an output unlike the clean file's" ;;
	shapley/0) cmp -s "$c.out" clean.shap || echo "exit 0 with tables unlike the clean file's" ;;
	merge/0) [ "$(cat "$c.mv" 2>/dev/null)" = 0 ] || echo "exit 0 but the merged file fails verify" ;;
	merge/*) [ ! -e "$c.merged" ] && [ -z "$(temps "$c.merged")" ] || echo "exit $rc but left an output" ;;
	esac
}
# The values (not the attributes) of the datasets same_results compares and
# of /coalition are equal in files $1 and $2.  Checksums cover values: a bit
# flipped in a dataset's description or dimension-scale list (format 3) is
# damage no reader promises to find, and a resume keeps it as it was.
same_values() {
	/usr/bin/python3 - "$1" "$2" <<'PY' 2>/dev/null
import sys
import h5py
def values(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name.split("/")[0] in (
                    "results", "summary", "coalition") or name in ("tasks/done",
                                                                 "tasks/checksum"):
                out[name] = obj[()].tobytes()
        f.visititems(visit)
    return out
sys.exit(0 if values(sys.argv[1]) == values(sys.argv[2]) else 1)
PY
}
# run --resume on FILE's own copy; a line in FILE.rmsg if wrong.
resume_one() {
	local c=$1.resume rc msg=""
	cp "$1" "$c"
	timeout 30 "$SMAB" run coal.yaml -o "$c" --resume -q >"$c.out" 2>&1; rc=$?
	if [ $rc -ge 3 ]; then
		[ $rc -eq 124 ] && msg=hung || msg="exit $rc ($(grep -m1 'Signal:\|smab:' "$c.out" | cut -c1-90))"
	elif [ $rc -eq 0 ] && ! same_values coal.h5 "$c"; then
		msg="exit 0 with datasets unlike the uninterrupted run's"
	fi
	echo "$msg" >"$1.rmsg"
}
while IFS=$'\t' read -r name cls desc flags; do
	for r in $readers; do echo "fz/$name $r"; done
done <fz/manifest | pool 4 read_one
# run --resume: on every 'data' file, on the crafted files that pass the
# checks every reader shares, and on every third of the others.
k=0
while IFS=$'\t' read -r name cls desc flags; do
	case $cls/$name in
	data/* | craft/c-reps.h5 | craft/c-agents.h5 | craft/c-history.h5 | craft/c-attrspace.h5) ;;
	*) k=$((k + 1)); [ $((k % 3)) -eq 0 ] || continue ;;
	esac
	echo "fz/$name"
done <fz/manifest | pool 3 resume_one
declare -A fails nfiles nresumed
classes="zero head flip data trunc craft"
while IFS=$'\t' read -r name cls desc flags; do
	f=fz/$name
	nfiles[$cls]=$((${nfiles[$cls]:-0} + 1))
	for r in $readers; do
		w=$(judge "$f" $r "$flags")
		[ -z "$w" ] || fails[$cls/$r]+=" $name ($desc): $w;"
	done
	[ -e "$f.rmsg" ] || continue
	nresumed[$cls]=$((${nresumed[$cls]:-0} + 1))
	w=$(cat "$f.rmsg")
	[ -z "$w" ] || fails[$cls/resume]+=" $name ($desc): $w;"
done <fz/manifest
declare -A what=([zero]="a zeroed 256-byte block" [head]="bits flipped in the first 4 KB"
	[flip]="bits flipped past 4 KB" [data]="one bit flipped in a dataset's data"
	[trunc]="truncation" [craft]="crafted shapes and attributes (h5py)")
for cls in $classes; do
	for r in $readers resume; do
		n=${nfiles[$cls]:-0}
		[ $r = resume ] && n=${nresumed[$cls]:-0}
		v=${fails[$cls/$r]:-}
		case $r in
		resume) r="run --resume" rule="exit 0 only with the uninterrupted run's datasets" ;;
		summary) rule="the file unchanged, exit 0 only with the clean file's output" ;;
		shapley) r="shapley --no-write" rule="the file unchanged, exit 0 only with the clean file's tables" ;;
		merge) r="merge X -o Y" rule="X unchanged, no Y unless it verifies" ;;
		verify) rule="the file unchanged" ;;
		esac
		check "smab $r on $n files with ${what[$cls]} (seed $seed): no crash or hang, exit 0/1/2, $rule${v:+ --$v}" \
			test -z "$v"
	done
done
echo done
