# --set overrides: validated like the file, named in errors, recorded in the
# result file; progress lines when not on a terminal, none with --quiet.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >o.yaml <<'YAML'
suite: drift
seed: 4
replications: 3
params: {horizon: 400}
record: 5
YAML
cat >edited.yaml <<'YAML'
suite: drift
seed: 4
replications: 6
params: {horizon: 700, drift: 0.3}
record: 5
YAML
"$SMAB" run o.yaml -o set.h5 -q --set params.horizon=700 --set replications=6 \
	--set params.drift=0.3 >/dev/null 2>&1
check "a run with --set succeeds" test $? -eq 0
"$SMAB" run edited.yaml -o edited.h5 -q >/dev/null 2>&1
check "its datasets equal those of the edited file" same_results set.h5 edited.h5
a=$(h5dump -a /config set.h5 | grep -E 'horizon|replications')
b=$(h5dump -a /config edited.h5 | grep -E 'horizon|replications')
check "the recorded effective config is the edited one" test -n "$a" -a "$a" = "$b"
check "the overrides are recorded" bash -c "h5dump -a /overrides set.h5 | grep -q 'params.horizon=700'"

out=$("$SMAB" run o.yaml -o bad.h5 --set params.horizon=abc --set replicatons=3 2>&1)
rc=$?
check "a bad override is a usage error (exit $rc)" test $rc -eq 2
check "the error names the override" grep -q "in --set 'params.horizon=abc': expected an integer" <<<"$out"
check "a misspelt key is reported with a suggestion" grep -q "'replicatons'.*did you mean 'replications'" <<<"$out"
check "no file is written for a bad override" test ! -e bad.h5

# Hostile overrides: refused with exit 2, naming the override, in a moment.
# expect_set NAME 'FRAGMENT' SET: 'run' and 'submit --dry-run' exit 2 and
# print "--set 'SET': FRAGMENT"; 'run' writes nothing.
expect_set() {
	local name=$1 frag=$2 set=$3 cmd out rc
	for cmd in run submit; do
		if [ $cmd = run ]; then
			out=$(timeout 20 "$SMAB" run o.yaml -o hostile.h5 -q --set "$set" 2>&1)
		else
			out=$(timeout 20 "$SMAB" submit o.yaml --dry-run --set "$set" 2>&1)
		fi
		rc=$?
		check "$name: $cmd exits 2 (got $rc)" test $rc -eq 2
		check "$name: $cmd names the override and says '$frag'" \
			grep -qF -- "--set '$set': $frag" <<<"$out"
	done
	check "$name: no file is written" test ! -e hostile.h5
}
expect_set "an empty key part" "'params..horizon' is not a dotted key" 'params..horizon=1'
expect_set "a second YAML document" "the value holds a second YAML document" $'seed=1\n--- 2'
alias="anchors and aliases (&name, *name) are not allowed in a --set value"
expect_set "a list inside itself" "$alias" 'params.means=&a [*a]'
expect_set "a mapping inside itself" "$alias" 'params.x=&a {c: *a}'
laughs="a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]" prev=a
for c in b c d e f g h i; do
	laughs="$laughs, $c: &$c [$(printf "*$prev, %.0s" 1 2 3 4 5 6 7 8)*$prev]" prev=$c
done
laughs="params.means={$laughs}"
out=$(timeout 20 "$SMAB" run o.yaml -o hostile.h5 -q --set "$laughs" 2>&1); rc=$?
check "nine levels of nine aliases in --set: exit 2 (got $rc)" test $rc -eq 2
check "nine levels of nine aliases in --set: refused, named" \
	grep -qF -- "--set '${laughs:0:100}...': $alias" <<<"$out"
deep=$(head -c 60000 /dev/zero | tr '\0' '[')
out=$(timeout 20 "$SMAB" run o.yaml -o hostile.h5 -q --set "params.means=$deep" 2>&1); rc=$?
check "60000 nested lists in --set: exit 2 (got $rc)" test $rc -eq 2
short="params.means=${deep:0:87}..."      # its first 100 bytes
check "60000 nested lists in --set: named, shortened, and the limit said" \
	grep -qF -- "--set '$short': lists and mappings nested more than 64 deep" <<<"$out"

# Progress: log lines (stderr is a file here), every --progress seconds.
SMAB_TEST_TASK_DELAY=0.05 "$SMAB" run o.yaml -o p.h5 --set replications=20 --progress 0.2 \
	>p.log 2>&1
n=$(grep -c '^smab: progress [0-9]*/20 tasks' p.log)
check "progress lines appear in a log ($n)" test "$n" -ge 2
check "a progress line has rate and ETA" grep -qE 'tasks/s, elapsed [0-9]+ s, ETA [0-9]+ s' p.log
SMAB_TEST_TASK_DELAY=0.05 "$SMAB" run o.yaml -o p2.h5 --set replications=20 --progress 0.2 -q \
	>q.log 2>&1
check "--quiet silences progress" test "$(grep -c progress q.log)" -eq 0
echo done
