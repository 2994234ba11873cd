# Bad input: exit status 2, file:line:col in the message, nothing written,
# and an existing result file never overwritten by accident.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
# expect NAME 'LOCATION' 'TEXT' YAML: run must fail with 2 and print both.
expect() {
	local name=$1 loc=$2 text=$3
	printf '%s' "$4" >"$name.yaml"
	out=$(mpi 2 run "$name.yaml" -o "$name.h5" 2>&1); rc=$?
	if [ $rc -eq 2 ] && grep -qF "$name.yaml:$loc" <<<"$out" && grep -qF -- "$text" <<<"$out" \
		&& [ ! -e "$name.h5" ]; then
		ok "$name: exit 2 at $loc, no output file"
	else
		notok "$name: rc=$rc, expected $loc and '$text' in: $out"
	fi
}
expect unknown_key 3:1 "did you mean" $'suite: drift\nseed: 1\nreplicatons: 3\n'
expect bad_type 3:12 "horizon" $'suite: drift\nparams:\n  horizon: many\n'
expect out_of_range 3:9 "arms" $'suite: drift\nparams:\n  arms: 1\n'
expect empty_axis 3:10 "drift" $'suite: drift\nsweep:\n  drift: []\n'
expect unknown_suite 1:8 "drift" $'suite: nosuch\n'
expect unknown_mech 2:23 "did you mean 'ucb'" $'suite: drift\nmechanisms: [ucb, ts, ucbb]\n'
expect malformed 3:1 "flow sequence started at 2:9" $'suite: drift\nparams: [1, 2\n'
expect fixed_and_swept 5:3 "parameter 'drift' is fixed in 'params' (at 3:10) and also swept here" \
	$'suite: drift\nparams:\n  drift: 0.3\nsweep:\n  drift: [0, 0.5]\n'
expect param_and_group 4:3 "e.g. 'strategy: replicate_arm' and 'strategy.copies: 3'" \
	$'suite: replication\nparams:\n  strategy: replicate_arm\n  strategy: {copies: 3}\n'
expect enum_typo 3:10 "got 'bernouli'; did you mean 'bernoulli'?" $'suite: drift\nparams:\n  noise: bernouli\n'
# Limits on the input: refused with exit 2 and a message, in a moment.
# refuse NAME FILE 'TEXT' [CMD...]: exits 2 within 5 s (MPI's start
# included; 100000 nested lists took 20 s before) and says TEXT.
refuse() {
	local name=$1 file=$2 text=$3 start ms rc out
	shift 3
	[ $# -gt 0 ] || set -- validate
	start=$(date +%s%N)
	out=$(timeout 20 "$SMAB" "$@" "$file" 2>&1); rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $rc -eq 2 ] && grep -qF -- "$text" <<<"$out" && [ $ms -lt 5000 ]; then
		ok "$name: '$*' exits 2 in $ms ms: $text"
	else
		notok "$name: '$*' rc=$rc after $ms ms, expected 2 and '$text' in: $out"
	fi
}
nest() { head -c "$1" /dev/zero | tr '\0' "$2"; }
{ printf 'suite: drift\nparams: {means: '; nest 100000 '['; nest 100000 ']'; printf '}\n'; } >deep.yaml
refuse "100000 nested lists" deep.yaml "deep.yaml:2:79: error: lists and mappings nested more than 64 deep"
refuse "100000 nested lists" deep.yaml "nested more than 64 deep" run -o deep.h5
check "no file is written for a refused input" test ! -e deep.h5
{ printf 'suite: drift\nparams: {means: [0'; for i in $(seq 21); do printf ',0%.0s' $(seq 10000); done; printf ']}\n'; } >wide.yaml
refuse "210000 values" wide.yaml "wide.yaml:2:400004: error: more than 200000 YAML nodes"
printf 'suite: drift\n' >big.yaml && truncate -s 5M big.yaml
refuse "a 5 MB file" big.yaml "big.yaml: error: the file is larger than 4 MiB"
refuse "/dev/zero" /dev/zero "not a regular file (a device)"
mkdir dir.yaml
refuse "a directory" dir.yaml "dir.yaml: error: cannot read file: it is a directory"
mkfifo fifo.yaml
refuse "a FIFO without a writer" fifo.yaml "not a regular file (a FIFO)"
# Sweeps too large to run: refused from the axis lengths, at once.
grid() {
	printf 'suite: drift\nreplications: %d\nsweep:\n  drift: {from: 0, to: 1, num: %d}\n' "$1" "$2"
	printf '  gap: {from: 0.1, to: 0.5, num: %d}\n' "$3"
}
grid 1 46340 46340 >g46340.yaml
for cmd in validate plan; do
	refuse "46340 x 46340 points" g46340.yaml \
		"g46340.yaml:3:1: error: 'sweep': the sweep has 46340 x 46340 = 2147395600 points, more than the 1000000 allowed" $cmd
done
grid 1 10000 10000 >g1e8.yaml
refuse "1e8 points" g1e8.yaml "10000 x 10000 = 100000000 points, more than the 1000000 allowed" plan
grid 1 10000 1000 >g1e7.yaml
refuse "1e7 points" g1e7.yaml "10000 x 1000 = 10000000 points, more than the 1000000 allowed" plan
grid 101 1000 1000 >tasks.yaml
refuse "1.01e8 tasks" tasks.yaml "1000000 points x 101 replications = 101000000 tasks, more than the 100000000 allowed"
printf 'suite: drift\nrecord: 100000\nreplications: 10000000\n' >bytes.yaml
refuse "a 64 TB result file" bytes.yaml "bytes.yaml:3:1: error: 'replications': the result file would take about 64.0 TB"
# The largest accepted sweep: plan shows its ends and the totals, quickly.
grid 100 1000 1000 >g1e6.yaml
start=$(date +%s%N)
out=$(timeout 60 "$SMAB" plan g1e6.yaml 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "plan of 1e6 points exits 0 in $ms ms" test $rc -eq 0 -a $ms -lt 10000
check "plan of 1e6 points shows 20 + 3 of them" test "$(grep -cE '^ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.e+]+$' <<<"$out")" -eq 23
check "plan of 1e6 points says how many it skips" grep -q '^ *\.\.\. 999977 more points \.\.\.$' <<<"$out"
check "plan of 1e6 points ends with point 999999" \
	grep -qE '^ +999999 +1 +0.5 .*' <<<"$out"
check "plan gives the totals" grep -q '^1000000 points x 100 replications = 100000000 tasks' <<<"$out"
check "plan gives the result file's size" grep -q '^output: results/g1e6.h5 (at most 687.6 GB)$' <<<"$out"
# An output path Open MPI cannot open is refused where it is written.
long=$(head -c 250 /dev/zero | tr '\0' n)
expect long_output 2:9 "'output': the output path is" $'suite: drift\noutput: '"$long.h5"$'\n'
expect long_name 2:7 "'name': the output results/$long.h5 that the name makes" $'suite: drift\nname: '"$long"$'\n'
# Several errors are reported at once.
printf 'suite: drift\nseed: -1\nparams:\n  sigma: -1\n  arms: 1\n' >multi.yaml
n=$("$SMAB" validate multi.yaml 2>&1 | grep -c ': error: ')
check "validate reports all three errors at once" test "$n" -eq 3
# An existing result file is refused, and left as it was.
printf 'suite: drift\nreplications: 2\nparams: {horizon: 200}\n' >small.yaml
mpi 2 run small.yaml -o small.h5 -q >/dev/null 2>&1
check "a small run succeeds" test -s small.h5
sum=$(sha256sum small.h5)
out=$(mpi 2 run small.yaml -o small.h5 -q 2>&1); rc=$?
check "rerun onto an existing file exits 2" test $rc -eq 2
grep -q -- '--force' <<<"$out"; check "the refusal names --force and --resume" test $? -eq 0
check "the existing file is unchanged" test "$(sha256sum small.h5)" = "$sum"
printf 'suite: drift\nreplications: 2\nparams: {horizon: 300}\n' >other.yaml
out=$(mpi 2 run other.yaml -o small.h5 --resume -q 2>&1); rc=$?
check "--resume with a different config exits 2" test $rc -eq 2
grep -q 'different configuration' <<<"$out"; check "the refusal says the configuration differs" test $? -eq 0
check "the file is still unchanged" test "$(sha256sum small.h5)" = "$sum"
mpi 2 run small.yaml -o small.h5 --force -q >/dev/null 2>&1
check "--force replaces the file" test $? -eq 0
echo done
